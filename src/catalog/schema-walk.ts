// Reads the schema itself to help with typos: which keys are valid at a path, and which one
// the operator probably meant ("destination" → "destinations").
import { z } from 'zod';
import type { PathSegment } from './config-path.js';

/** The keys a mapping at `path` may have, or undefined when `path` is not a mapping in the schema. */
export function keysAt(schema: z.ZodType, value: unknown, path: readonly PathSegment[]): string[] | undefined {
  let node: z.ZodType | undefined = unwrap(schema, value);
  let current = value;
  for (const seg of path) {
    current = isObjectLike(current) ? (current as Record<PathSegment, unknown>)[seg] : undefined;
    if (node instanceof z.ZodObject) node = node.shape[String(seg)] as z.ZodType | undefined;
    else if (node instanceof z.ZodRecord) node = node.def.valueType as z.ZodType;
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else return undefined;
    node = node === undefined ? undefined : unwrap(node, current);
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
}

/** Strips wrappers; for a union, takes the member the value was meant for. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault) {
      s = s.def.innerType as z.ZodType;
    } else if (s instanceof z.ZodNullable) {
      s = s.def.innerType as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.def.in as z.ZodType;
    } else if (s instanceof z.ZodDiscriminatedUnion) {
      const key = s.def.discriminator;
      const tag = isObjectLike(value) ? (value as Record<string, unknown>)[key] : undefined;
      const options = s.options as z.ZodType[];
      const match = options.find(
        (o) => o instanceof z.ZodObject && (o.shape[key] as z.ZodType | undefined)?.safeParse(tag).success,
      );
      // Without a valid tag, fall back to the first member: its keys are still a fair hint.
      s = match ?? (options[0] as z.ZodType);
    } else if (s instanceof z.ZodUnion) {
      const options = s.options as z.ZodType[];
      s = options.find((o) => o instanceof z.ZodObject) ?? (options[0] as z.ZodType);
    } else {
      return s;
    }
  }
}

function isObjectLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

/** The closest candidate to a mistyped word, if one is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

// The YAML layer of config loading: parses the text keeping every node's offset, turns YAML's
// own errors (syntax, duplicate keys) into issues, and maps a path such as
// ["databases", "CustomerDB", "owner"] back to a line and column, so that every issue found
// later on the plain value can still point into the file.
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { ConfigIssue } from './config-error.js';
import { formatPath, type PathSegment } from './config-path.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * Which point of a path to report: the value itself, the key that introduces it (unknown keys,
 * bad names), or the parent's key (a missing key has no node of its own).
 */
export type Anchor = 'node' | 'key' | 'parent';

export interface YamlSource {
  /** The document as plain data (for duplicate keys, the last one wins, as in YAML itself). */
  readonly value: unknown;
  position(path: readonly PathSegment[], anchor?: Anchor): Position;
}

export interface YamlReadResult {
  /** Absent when the text is not YAML enough to validate further. */
  source?: YamlSource;
  issues: ConfigIssue[];
}

export function readYaml(text: string): YamlReadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const keyPaths = indexKeyPaths(doc);
  const issues: ConfigIssue[] = [];
  let fatal = false;
  for (const err of doc.errors) {
    if (err.code === 'DUPLICATE_KEY') {
      const path = keyPaths.get(err.pos[0]) ?? [];
      issues.push({
        path: formatPath(path),
        ...at(err.pos[0]),
        code: 'duplicate_name',
        message: `"${String(path.at(-1) ?? '?')}" is defined more than once in the same mapping`,
        hint: 'YAML would silently keep only the last one: rename or remove the other',
      });
    } else {
      fatal = true;
      // prettyErrors is off so that the message never quotes a line of the file (it may hold a secret).
      issues.push({ path: '', ...at(err.pos[0]), code: 'yaml_syntax', message: err.message });
    }
  }
  if (fatal) return { issues };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // toJS fails on an alias to an undefined anchor, which parsing alone does not report.
    const offset = firstUnresolvedAlias(doc) ?? 0;
    const message = err instanceof Error ? err.message : String(err);
    issues.push({ path: '', ...at(offset), code: 'yaml_syntax', message });
    return { issues };
  }
  const position = (path: readonly PathSegment[], anchor: Anchor = 'node'): Position => {
    if (anchor === 'parent') return at(offsetOf(doc, path.slice(0, -1), 'key'));
    return at(offsetOf(doc, path, anchor));
  };
  return { source: { value, position }, issues };
}

interface Step {
  key: Node | undefined;
  value: Node | undefined;
}

function child(doc: Document, node: Node | undefined, seg: PathSegment): Step | undefined {
  const target = isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
  if (isMap(target)) {
    // findLast: with duplicate keys the last pair is the one toJS kept.
    const pair = target.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(seg));
    if (pair === undefined) return undefined;
    return { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
  }
  if (isSeq(target) && typeof seg === 'number') {
    const item = target.items[seg];
    return item === undefined ? undefined : { key: undefined, value: item as Node };
  }
  return undefined;
}

/** The offset of the deepest node of `path` that exists (the root when nothing matches). */
function offsetOf(doc: Document, path: readonly PathSegment[], anchor: 'node' | 'key'): number {
  let node = (doc.contents ?? undefined) as Node | undefined;
  let offset = node?.range?.[0] ?? 0;
  for (const [i, seg] of path.entries()) {
    const step = child(doc, node, seg);
    if (step === undefined) return offset;
    const keyOffset = step.key?.range?.[0];
    const last = i === path.length - 1;
    if (last && anchor === 'key' && keyOffset !== undefined) return keyOffset;
    // An empty value (`owner:`) has no useful range of its own: point at its key instead.
    const valueOffset = isScalar(step.value) && step.value.value === null ? undefined : step.value?.range?.[0];
    offset = valueOffset ?? keyOffset ?? offset;
    node = step.value;
  }
  return offset;
}

/** Offset of every mapping key → its path, to name the key of a DUPLICATE_KEY error. */
function indexKeyPaths(doc: Document): Map<number, PathSegment[]> {
  const out = new Map<number, PathSegment[]>();
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const p = [...path, String(pair.key.value)];
        if (pair.key.range) out.set(pair.key.range[0], p);
        walk(pair.value, p);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, [...path, i]);
    }
  };
  walk(doc.contents, []);
  return out;
}

function firstUnresolvedAlias(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        found = alias.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

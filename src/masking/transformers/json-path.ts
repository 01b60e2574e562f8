// json_path: masks fields inside json/jsonb values. Each path ($.contact.email, $.phones[*],
// $.orders[*].card, $['odd key'], $.*) selects nodes; every selected node is passed through its
// own nested transform (token by default). A selected object or array is masked leaf by leaf, all
// the way down, so selecting a container never leaves personal data inside it in clear. Nodes no
// path selects are written back unchanged (json-doc.ts keeps them lossless).
import { TRANSFORMS, type Transform } from '../../catalog/types.js';
import type { ColumnInfo } from '../column.js';
import { optionError, type RuleSpec, type TransformContext, type ValueTransformer } from './context.js';
import { JsonNumber, JsonObject, type JsonValue, parseJson, writeJson } from './json-doc.js';

export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'anyKey' }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'anyIndex' };

export interface JsonPathRule {
  readonly path: string;
  readonly segments: readonly PathSegment[];
  readonly rule: RuleSpec;
}

/** Builds the nested transformer for one path (the registry passes itself in, keeping this file free of a cycle). */
export type NestedFactory = (rule: RuleSpec, column: ColumnInfo) => ValueTransformer;

/** Reads the options into one nested rule per path; throws a config error naming the rule. */
export function jsonPathRules(ctx: Pick<TransformContext, 'rule' | 'column' | 'options'>): JsonPathRule[] {
  const { options } = ctx;
  const paths = options.paths;
  if (!Array.isArray(paths) || paths.length === 0)
    throw optionError(ctx, 'option paths must be a non-empty list of JSON paths');
  const fallback = nestedRule(ctx, options.transform, options.options, 'transform');
  return paths.map((entry, i) => {
    if (typeof entry === 'string') return { path: entry, segments: parsePath(ctx, entry), rule: fallback };
    if (typeof entry === 'object' && entry !== null && typeof (entry as { path?: unknown }).path === 'string') {
      const e = entry as { path: string; transform?: unknown; options?: unknown };
      const rule =
        e.transform === undefined ? fallback : nestedRule(ctx, e.transform, e.options, `paths[${i}].transform`);
      return { path: e.path, segments: parsePath(ctx, e.path), rule };
    }
    throw optionError(ctx, `paths[${i}] must be a path or { path, transform, options }`);
  });
}

function nestedRule(
  ctx: Pick<TransformContext, 'rule' | 'column'>,
  transform: unknown,
  options: unknown,
  where: string,
): RuleSpec {
  const t = transform ?? 'token';
  if (typeof t !== 'string' || !(TRANSFORMS as readonly string[]).includes(t) || t === 'json_path') {
    throw optionError(ctx, `option ${where} must be a transform other than json_path`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw optionError(ctx, `the options of ${where} must be a mapping`);
  }
  return { transform: t as Transform, options: (options ?? {}) as Record<string, unknown> };
}

/** The column a nested transform sees: the JSON scalar as text (or as a number / timestamp for those transforms). */
export function nestedColumn(column: ColumnInfo, path: string, transform: Transform): ColumnInfo {
  const type =
    transform === 'number_noise' ? 'numeric' : transform === 'date_shift' ? 'timestamp with time zone' : 'text';
  return { table: column.table, name: `${column.name} ${path}`, type, maxLength: null, nullable: true, unique: false };
}

const SEGMENT = /\.([^.[\]]+)|\[(\*|\d+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]/y;

export function parsePath(ctx: Pick<TransformContext, 'rule' | 'column'>, path: string): PathSegment[] {
  if (!path.startsWith('$')) throw optionError(ctx, `path ${path} must start with $`);
  const segments: PathSegment[] = [];
  let at = 1;
  while (at < path.length) {
    SEGMENT.lastIndex = at;
    const m = SEGMENT.exec(path);
    if (!m) throw optionError(ctx, `path ${path} is not a simple JSON path (use $.a.b, $.a[*], $.a[0], $['a b'])`);
    at = SEGMENT.lastIndex;
    const [, key, bracket] = m;
    if (key !== undefined) segments.push(key === '*' ? { kind: 'anyKey' } : { kind: 'key', key });
    else if (bracket === '*') segments.push({ kind: 'anyIndex' });
    else if (/^\d+$/.test(bracket!)) segments.push({ kind: 'index', index: Number(bracket) });
    else segments.push({ kind: 'key', key: bracket!.slice(1, -1).replace(/\\(.)/g, '$1') });
  }
  return segments;
}

export function jsonPathTransformer(ctx: TransformContext, create: NestedFactory): ValueTransformer {
  const compiled = jsonPathRules(ctx).map((p) => ({
    segments: p.segments,
    mask: create(p.rule, nestedColumn(ctx.column, p.path, p.rule.transform)),
  }));
  return (value) => {
    if (value === null) return null;
    let doc = parseJson(value);
    for (const p of compiled) doc = walk(doc, p.segments, 0, p.mask);
    return writeJson(doc);
  };
}

function walk(node: JsonValue, segments: readonly PathSegment[], i: number, mask: ValueTransformer): JsonValue {
  if (i === segments.length) return maskNode(node, mask);
  const seg = segments[i]!;
  switch (seg.kind) {
    case 'key':
    case 'anyKey':
      if (node instanceof JsonObject) {
        for (const entry of node.entries) {
          // every duplicate of a key is masked: json keeps duplicates, and any of them may be read
          if (seg.kind === 'anyKey' || entry[0] === seg.key) entry[1] = walk(entry[1], segments, i + 1, mask);
        }
      }
      return node;
    case 'index':
    case 'anyIndex':
      if (Array.isArray(node)) {
        for (let k = 0; k < node.length; k++) {
          if (seg.kind === 'anyIndex' || k === seg.index) node[k] = walk(node[k]!, segments, i + 1, mask);
        }
      }
      return node;
    default: {
      const never: never = seg;
      return never;
    }
  }
}

/** Masks a selected node: scalars through the transform, containers leaf by leaf. */
function maskNode(node: JsonValue, mask: ValueTransformer): JsonValue {
  if (Array.isArray(node)) return node.map((n) => maskNode(n, mask));
  if (node instanceof JsonObject) return new JsonObject(node.entries.map(([k, v]) => [k, maskNode(v, mask)]));
  if (node === null) return mask(null);
  if (typeof node === 'string') return mask(node);
  if (node instanceof JsonNumber) {
    const out = mask(node.text);
    // a number stays a number when the transform wrote one (number_noise); otherwise a string
    return out !== null && /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(out) ? new JsonNumber(out) : out;
  }
  const out = mask(node ? 'true' : 'false');
  return out === 'true' ? true : out === 'false' ? false : out;
}

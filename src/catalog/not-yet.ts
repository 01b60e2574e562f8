// What lifeboat.yaml accepts but Lifeboat does not do yet, in one place (STYLE.md §23: the config
// never silently ignores a key). Two kinds:
//   - engines Lifeboat cannot drive: a server of theirs is an error at load, since nothing could
//     back it up or restore it;
//   - keys of capabilities still being built: accepted (so a file written for the whole product
//     keeps loading), and reported per key, with its path and line, by `lifeboat config validate`
//     and at every server start and reload.
// The issue that builds a capability removes its entry here, and the warning goes with it.
import type { ConfigWarning } from './config-error.js';
import { formatPath, type PathSegment } from './config-path.js';
import type { EngineKind } from './types.js';
import type { YamlSource } from './yaml-source.js';

/** Engines Lifeboat can back up and restore today. */
export const DRIVEN_ENGINES: readonly EngineKind[] = ['postgres'];

export interface NotActedOn {
  /** Where the key is; `*` stands for any entry name of a section. */
  readonly path: readonly string[];
  /** Why the key does nothing yet, completing "not acted on yet: …". */
  readonly reason: string;
}

export const NOT_ACTED_ON_YET: readonly NotActedOn[] = [
  {
    path: ['servers', '*', 'labels'],
    reason: 'every worker takes every job; routing jobs to workers by label is not built yet',
  },
];

/**
 * Every key of the document as written that matches an entry of NOT_ACTED_ON_YET, in file order.
 * Empty lists and mappings ask for nothing, so they are not reported.
 */
export function notActedOnWarnings(source: YamlSource): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  for (const entry of NOT_ACTED_ON_YET) {
    for (const path of matches(source.value, entry.path)) {
      out.push({
        path: formatPath(path),
        ...source.position(path, 'key'),
        code: 'not_acted_on',
        message: `accepted, but not acted on yet: ${entry.reason}`,
      });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function matches(value: unknown, pattern: readonly string[], at: PathSegment[] = []): PathSegment[][] {
  if (pattern.length === 0) return isEmpty(value) ? [] : [at];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const [head, ...rest] = pattern;
  const record = value as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(record) : Object.hasOwn(record, head!) ? [head!] : [];
  return keys.flatMap((k) => matches(record[k], rest, [...at, k]));
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

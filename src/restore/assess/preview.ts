// What a restore would do, worked out before anything is written, pure over the facts (facts.ts):
// per table, the rows in the backup against the rows in the destination now (exact where it was
// cheap to count, flagged as an estimate otherwise); the schema differences; the masking plan;
// and an estimated duration from past restores of a similar size onto the same server, with the
// basis it was worked out on.
import type { PreviewDoc } from '../../contract/runs.js';
import type { TableCount } from '../../backup/manifest.js';
import { type AppliedRule, rulesByTable } from '../../masking/rule-tables.js';
import type { AssessFacts, PastRestore } from './facts.js';
import { label, schemaDiff } from './schema-diff.js';

/** Past restores count as similar from half to twice the size of this one. */
export const SIMILAR_SIZE = { min: 0.5, max: 2 } as const;

export function buildPreview(f: AssessFacts): PreviewDoc {
  const m = f.backup.manifest;
  const restored = f.scope ?? m.tables;
  const masked = f.destination.tier !== 'production' && f.database.masking.rules.length > 0;
  const plan: ReadonlyMap<TableCount, readonly AppliedRule[]> = masked
    ? rulesByTable(f.database.masking.rules, restored, m.inheritance ?? []).applied
    : new Map();
  const d = f.destinationState;
  return {
    backupId: f.backup.id,
    backupTakenAt: m.finishedAt,
    tables: restored.map((t) => {
      const there = d.reachable ? d.tables.find((x) => x.schema === t.schema && x.name === t.name) : undefined;
      return {
        table: label(t),
        rowsInBackup: t.rows,
        rowsInDestination: there?.rows ?? (d.reachable ? 0 : null),
        ...(there?.estimated ? { rowsInDestinationEstimated: true } : {}),
        inDestination: !d.reachable ? 'unknown' : there ? 'present' : 'absent',
        masking: (plan.get(t) ?? []).map((a) => `${a.rule.column}: ${a.rule.transform}`),
      };
    }),
    masking: {
      applied: masked,
      note: masked
        ? `${f.database.masking.rules.length} masking rule(s) applied in the stream`
        : f.destination.tier === 'production'
          ? 'not masked: a production destination gets the data as it was (a rollback)'
          : `not masked: ${f.database.name} has no masking rules`,
    },
    maskingPlan: [...plan.entries()].flatMap(([t, applied]) =>
      applied.map((a) => ({
        table: label(t),
        column: a.rule.column,
        transform: a.rule.transform,
        ...(a.via ? { via: label(a.via) } : {}),
      })),
    ),
    destination: d.reachable
      ? {
          reachable: true,
          exists: d.exists,
          note: d.exists
            ? `${f.destination.server}/${f.destination.dbname} exists: the restore replaces it`
            : `${f.destination.server}/${f.destination.dbname} does not exist: the restore creates it`,
        }
      : {
          reachable: false,
          exists: null,
          note: `${f.destination.server} could not be reached: the rows in the destination are unknown`,
        },
    schema: schemaDiff(m, f.scope, d, f.database.schema?.ignore ?? []) as NonNullable<PreviewDoc['schema']>,
    duration: estimateDuration(f.history, m.totals.bytes, f.destination.server, f.scope === null),
  };
}

/**
 * The median of past restores of a similar size (SIMILAR_SIZE) onto the same server, each scaled
 * to this size (a past restore half the size counts twice as long). Only restores of the same
 * kind compare: a table-scoped restore runs in one transaction without a swap, and past runs are
 * recorded with their backup's whole size, not their scope's, so a scope is not estimated.
 */
export function estimateDuration(
  history: readonly PastRestore[],
  bytes: number,
  server: string,
  wholeDatabase: boolean,
): { estimateMs: number | null; basis: string } {
  if (!wholeDatabase) {
    return {
      estimateMs: null,
      basis: "no estimate for a table-scoped restore: past restores record their backup's size, not their scope's",
    };
  }
  const similar = history.filter(
    (h) => h.wholeDatabase && h.bytes > 0 && bytes >= h.bytes * SIMILAR_SIZE.min && bytes <= h.bytes * SIMILAR_SIZE.max,
  );
  if (similar.length === 0) {
    return {
      estimateMs: null,
      basis: `no history: no past restore to ${server} of a similar size (${mb(bytes / SIMILAR_SIZE.max)}–${mb(bytes / SIMILAR_SIZE.min)})`,
    };
  }
  const scaled = similar.map((h) => (h.durationMs * bytes) / h.bytes).sort((a, b) => a - b);
  const mid = Math.floor(scaled.length / 2);
  const median = scaled.length % 2 ? scaled[mid]! : (scaled[mid - 1]! + scaled[mid]!) / 2;
  const sizes = similar.map((h) => h.bytes);
  const range = `${mb(Math.min(...sizes))}–${mb(Math.max(...sizes))}`;
  return {
    estimateMs: Math.round(median),
    basis:
      similar.length === 1
        ? `1 past restore to ${server} of ${mb(sizes[0]!)}, scaled by size`
        : `median of ${similar.length} past restores to ${server} of ${range}, scaled by size`,
  };
}

function mb(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} kB`;
  const v = bytes / (1024 * 1024);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} MB`;
}

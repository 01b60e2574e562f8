// A drill's checks, each with its verdict (a restore stops at the first failing check; a drill
// records every one, for the evidence). Row counts against the backup's manifest always come
// first; then the database's `verify` checks, then the drill's own. A check is SQL returning one
// row: it passes when the first value is true, or equals `expect:`.
import type { TableCount } from '../backup/manifest.js';
import type { VerifyCheck } from '../catalog/types.js';
import { withClient } from '../engines/postgres/admin.js';
import { messageOf } from '../errors.js';
import { redact, type Secret } from '../lib/secret.js';
import { runCheck, settledByInsertCounts, verifyRowCounts } from '../restore/steps/verify-restore.js';

export interface CheckResult {
  name: string;
  /** The query as configured (for row counts: what was compared). */
  sql: string;
  expect?: unknown;
  value: unknown;
  passed: boolean;
  /** The query itself failed. */
  error?: string;
}

export const ROW_COUNTS_CHECK = 'row counts match the backup';

/**
 * `onlyRestored`: the scratch database was written by pg_restore alone (as the restore's verify
 * step, verify-restore.ts): a table whose count of inserted rows equals the manifest's is settled
 * without a scan, and only the others are counted with count(*).
 */
export async function runDrillChecks(
  url: Secret,
  dbname: string,
  tables: readonly TableCount[],
  checks: readonly VerifyCheck[],
  opts: { onlyRestored?: boolean } = {},
): Promise<CheckResult[]> {
  const settled = opts.onlyRestored ? await settledByInsertCounts(url, dbname, tables) : new Set<TableCount>();
  return withClient(url, dbname, async (c) => {
    const counted = tables.filter((t) => !settled.has(t));
    const problems = await verifyRowCounts(c, counted);
    const how = settled.size
      ? ` (${settled.size} by the server's count of inserted rows, ${counted.length} by count(*))`
      : '';
    const out: CheckResult[] = [
      {
        name: ROW_COUNTS_CHECK,
        sql: settled.size
          ? `each of the ${tables.length} tables against the manifest: pg_stat_user_tables.n_tup_ins where it equals the manifest's, else count(*)`
          : `count(*) of each of the ${tables.length} tables against the manifest`,
        value: problems.length
          ? problems
          : `${tables.length} tables, ${tables.reduce((a, t) => a + t.rows, 0)} rows${how}`,
        passed: problems.length === 0,
      },
    ];
    for (const check of checks) {
      const base = {
        name: check.name,
        sql: check.sql,
        ...(check.expect !== undefined ? { expect: check.expect } : {}),
      };
      try {
        const r = await runCheck(c, check);
        out.push({ ...base, value: r.got ?? null, passed: r.ok });
      } catch (err) {
        out.push({ ...base, value: null, passed: false, error: redact(messageOf(err), [url]) });
      }
    }
    return out;
  });
}

/** One line per failed check, naming it: the drill's error. */
export function failedChecksMessage(results: readonly CheckResult[]): string | undefined {
  const failed = results.filter((r) => !r.passed);
  if (!failed.length) return undefined;
  return failed
    .map((r) => `check "${r.name}" ${r.error ? `failed: ${r.error}` : `did not pass (got ${JSON.stringify(r.value)})`}`)
    .join('; ');
}

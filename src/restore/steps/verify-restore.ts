// Step: verify the staging database before it may replace anything: every table's row count
// equals the manifest's (counted in the dump's own snapshot), and every configured check passes.
import pg from 'pg';
import type { TableCount } from '../../backup/manifest.js';
import type { VerifyCheck } from '../../catalog/types.js';
import { withClient } from '../../engines/postgres/admin.js';
import { LifeboatError } from '../../errors.js';
import { redact, type Secret } from '../../lib/secret.js';
import type { RunTracker } from '../progress.js';

export async function verifyRowCounts(c: pg.ClientBase, tables: readonly TableCount[]): Promise<string[]> {
  const problems: string[] = [];
  for (const t of tables) {
    const r = await c.query<{ n: string }>(
      `select count(*) as n from only ${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)}`,
    );
    const n = Number(r.rows[0]!.n);
    if (n !== t.rows) problems.push(`${t.schema}.${t.name}: ${n} rows, the backup has ${t.rows}`);
  }
  return problems;
}

/**
 * Tables whose inserted-row count (pg_stat_user_tables.n_tup_ins) equals the manifest's. In a
 * database created for this restore and written only by pg_restore (which loads a table whole or
 * fails), that is the table's row count. The figures reach the view as pg_restore's sessions
 * end, so this looks again for up to `waitMs`; what is still different is left to count(*).
 */
export async function settledByInsertCounts(
  url: Secret,
  dbname: string,
  tables: readonly TableCount[],
  waitMs = 3000,
): Promise<Set<TableCount>> {
  const deadline = Date.now() + waitMs;
  return withClient(url, dbname, async (c) => {
    for (;;) {
      const r = await c.query<{ schemaname: string; relname: string; n: string }>(
        'select schemaname, relname, n_tup_ins as n from pg_stat_user_tables',
      );
      const inserted = new Map(r.rows.map((x) => [`${x.schemaname}.${x.relname}`, Number(x.n)]));
      const settled = new Set(tables.filter((t) => inserted.get(`${t.schema}.${t.name}`) === t.rows));
      if (settled.size === tables.length || Date.now() > deadline) return settled;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
}

/** A check passes when its first column of its first row is true (or equals `expect`). */
export async function runCheck(c: pg.ClientBase, check: VerifyCheck): Promise<{ ok: boolean; got: unknown }> {
  const r = await c.query({ text: check.sql, rowMode: 'array' });
  const got = (r.rows[0] as unknown[] | undefined)?.[0];
  const ok =
    check.expect === undefined
      ? got === true || got === 't'
      : JSON.stringify(got) === JSON.stringify(check.expect) || String(got) === String(check.expect);
  return { ok, got };
}

export async function verifyStaging(
  url: Secret,
  staging: string,
  tables: readonly TableCount[],
  checks: readonly VerifyCheck[],
  tracker: RunTracker,
  opts: { onlyRestored?: boolean } = {},
): Promise<void> {
  // A database that only pg_restore has written to: the server's own count of inserted rows per
  // table (free) settles most tables; any other table is counted with count(*), which decides.
  const settled = opts.onlyRestored ? await settledByInsertCounts(url, staging, tables) : new Set<TableCount>();
  // counted over two connections: a count is a full scan, and the biggest table dominates
  const sorted = tables.filter((t) => !settled.has(t)).sort((a, b) => b.rows - a.rows);
  const halves = [sorted.filter((_, i) => i % 2 === 0), sorted.filter((_, i) => i % 2 === 1)];
  const problems = (
    await Promise.all(
      halves.map((part) => (part.length ? withClient(url, staging, (c) => verifyRowCounts(c, part)) : [])),
    )
  ).flat();
  await withClient(url, staging, async (c) => {
    if (problems.length) {
      throw new LifeboatError('engine_failed', `row counts differ from the backup: ${problems.join('; ')}`, {
        hint: 'a post-restore script may have changed data, or the archive is inconsistent; the destination was not touched',
      });
    }
    tracker.log(
      `row counts match the backup for ${tables.length} tables` +
        (settled.size ? ` (${settled.size} by the server's count of inserted rows, ${sorted.length} by count(*))` : ''),
    );
    for (const check of checks) {
      let result: { ok: boolean; got: unknown };
      try {
        result = await runCheck(c, check);
      } catch (err) {
        throw new LifeboatError(
          'engine_failed',
          `verify check "${check.name}" failed: ${redact((err as Error).message, [url])}`,
          { hint: "fix the check's SQL in lifeboat.yaml" },
        );
      }
      if (!result.ok) {
        throw new LifeboatError(
          'engine_failed',
          `verify check "${check.name}" did not pass (got ${JSON.stringify(result.got)})`,
          {
            hint: 'the destination was not touched; inspect the data or the check',
          },
        );
      }
      tracker.log(`check "${check.name}" passed`);
    }
  });
}

// Step: verify the staging database before it may replace anything: every table's row count
// equals the manifest's (counted in the dump's own snapshot), and every configured check passes.
import type pg from 'pg';
import type { TableCount } from '../../backup/manifest.js';
import type { VerifyCheck } from '../../catalog/types.js';
import { withClient } from '../../engines/postgres/admin.js';
import { LifeboatError } from '../../errors.js';
import { quoteIdent } from '../../masking/leak-check.js';
import { redact, type Secret } from '../../lib/secret.js';
import type { RunTracker } from '../progress.js';

export async function verifyRowCounts(c: pg.ClientBase, tables: readonly TableCount[]): Promise<string[]> {
  const problems: string[] = [];
  for (const t of tables) {
    const r = await c.query<{ n: string }>(
      `select count(*) as n from only ${quoteIdent(t.schema)}.${quoteIdent(t.name)}`,
    );
    const n = Number(r.rows[0]!.n);
    if (n !== t.rows) problems.push(`${t.schema}.${t.name}: ${n} rows, the backup has ${t.rows}`);
  }
  return problems;
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
  opts: { countedOnLoad?: boolean } = {},
): Promise<void> {
  // counted over two connections: a count is a full scan, and the biggest table dominates
  const sorted = opts.countedOnLoad ? [] : [...tables].sort((a, b) => b.rows - a.rows);
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
      opts.countedOnLoad
        ? `row counts match the backup for ${tables.length} tables (counted as they streamed into pg_restore)`
        : `row counts match the backup for ${tables.length} tables`,
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

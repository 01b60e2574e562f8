// The SLO evaluator: judges every configured database at `now` (src/slo/evaluate.ts) and records
// what changed in slo_breaches — a new breach opened, a recovered one closed — each with its
// outbox event (`slo.breached`, `slo.recovered`) and its audit event, in the transaction of the
// change (STYLE.md §17). A breach that stays open changes nothing, so it notifies once however
// often the evaluator runs. All databases are judged from a handful of queries without a lock;
// a database whose breaches change is judged again under a transaction-scoped advisory lock and
// changed in that transaction, so two evaluators (two workers, or the timer and a finished
// backup) never open the same breach twice; the partial unique index on open breaches is the
// second net.
// Runs every minute on a pg-boss cron (src/runtime/jobs.ts, one worker takes each firing) and
// after each backup and drill of the database. The clock is an argument, so tests inject time.
import { type Kysely, sql, type Transaction } from 'kysely';
import { recordAudit } from '../audit/record.js';
import type { Catalog } from '../catalog/types.js';
import { recordEvent } from '../notify/events.js';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { type Breach, breachChanges, evaluateSlos } from './evaluate.js';
import { readSloFacts, readSloFactsOf } from './facts.js';

const SLO_LOCK = 0x736c_6f00; // "slo\0"

export interface SloDeps {
  db: Db;
  catalog: Catalog;
}

export interface SloChanges {
  opened: Breach[];
  closed: Array<{ database: string; slo: string }>;
}

/** Judges `databases` (default: every configured one) at `now`; what it opened and closed. */
export async function monitorSlos(deps: SloDeps, now: Date, databases?: readonly string[]): Promise<SloChanges> {
  const out: SloChanges = { opened: [], closed: [] };
  const names = (databases ?? Object.keys(deps.catalog.databases)).filter((n) => deps.catalog.databases[n]);
  // a first look without a lock: most minutes nothing changes, and then nothing is written
  const [facts, open] = await Promise.all([readSloFactsOf(deps.db, names), openBreaches(deps.db, names)]);
  for (const name of names) {
    const config = deps.catalog.databases[name]!;
    const first = breachChanges(open.get(name) ?? [], evaluateSlos(config, facts.get(name)!, now));
    if (first.toOpen.length === 0 && first.toClose.length === 0) continue;
    const changes = await deps.db.transaction().execute(async (trx) => {
      // judged again under the lock: another evaluator may have recorded the change meanwhile
      await sql`select pg_advisory_xact_lock(${SLO_LOCK}, hashtext(${name}))`.execute(trx);
      const breaches = evaluateSlos(config, await readSloFacts(trx, name), now);
      const current = (await openBreaches(trx, [name])).get(name) ?? [];
      const { toOpen, toClose } = breachChanges(current, breaches);
      for (const b of toOpen) await openBreach(trx, b, now);
      for (const slo of toClose)
        await closeBreach(
          trx,
          current.find((o) => o.slo === slo)!,
          now,
        );
      return { opened: toOpen, closed: toClose.map((slo) => ({ database: name, slo })) };
    });
    out.opened.push(...changes.opened);
    out.closed.push(...changes.closed);
  }
  if (databases === undefined) out.closed.push(...(await withdrawRemoved(deps, now)));
  return out;
}

interface OpenBreach {
  id: string;
  database: string;
  slo: string;
  message: string;
  opened_at: Date;
}

async function openBreaches(db: Kysely<Database>, names: readonly string[]): Promise<Map<string, OpenBreach[]>> {
  const out = new Map<string, OpenBreach[]>();
  if (names.length === 0) return out;
  const rows = await db
    .selectFrom('slo_breaches')
    .select(['id', 'database', 'slo', 'message', 'opened_at'])
    .where('database', 'in', names)
    .where('closed_at', 'is', null)
    .execute();
  for (const r of rows) out.set(r.database, [...(out.get(r.database) ?? []), r]);
  return out;
}

async function openBreach(trx: Transaction<Database>, b: Breach, now: Date): Promise<void> {
  await trx
    .insertInto('slo_breaches')
    .values({
      database: b.database,
      slo: b.slo,
      opened_at: now,
      message: b.message,
      details: JSON.stringify(b.details),
    })
    .execute();
  await recordAudit(trx, {
    actor: 'lifeboat',
    action: 'slo.breach',
    subjectType: 'database',
    subjectId: b.database,
    outcome: 'failure',
    details: { slo: b.slo, message: b.message, ...b.details },
  });
  await recordEvent(trx, {
    type: 'slo.breached',
    data: { database: b.database, slo: b.slo, message: b.message, openedAt: now.toISOString(), closedAt: null },
    subjectType: 'database',
    subjectId: b.database,
  });
}

async function closeBreach(trx: Transaction<Database>, row: OpenBreach, now: Date): Promise<void> {
  await trx.updateTable('slo_breaches').set({ closed_at: now }).where('id', '=', row.id).execute();
  await recordAudit(trx, {
    actor: 'lifeboat',
    action: 'slo.recover',
    subjectType: 'database',
    subjectId: row.database,
    details: { slo: row.slo, openedAt: row.opened_at.toISOString() },
  });
  await recordEvent(trx, {
    type: 'slo.recovered',
    data: {
      database: row.database,
      slo: row.slo,
      message: row.message,
      openedAt: row.opened_at.toISOString(),
      closedAt: now.toISOString(),
    },
    subjectType: 'database',
    subjectId: row.database,
  });
}

/**
 * Breaches of databases no longer in lifeboat.yaml are closed without a notification (nobody
 * recovered anything; the database is simply not monitored any more), and audited.
 */
async function withdrawRemoved(deps: SloDeps, now: Date): Promise<SloChanges['closed']> {
  const configured = Object.keys(deps.catalog.databases);
  return deps.db.transaction().execute(async (trx) => {
    let q = trx.updateTable('slo_breaches').set({ closed_at: now }).where('closed_at', 'is', null);
    if (configured.length) q = q.where('database', 'not in', configured);
    const rows = await q.returning(['database', 'slo']).execute();
    for (const r of rows) {
      await recordAudit(trx, {
        actor: 'lifeboat',
        action: 'slo.withdraw',
        subjectType: 'database',
        subjectId: r.database,
        details: { slo: r.slo, reason: 'the database is no longer in lifeboat.yaml' },
      });
    }
    return rows;
  });
}

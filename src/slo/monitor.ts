// The SLO evaluator: judges every configured database at `now` (src/slo/evaluate.ts) and records
// what changed in slo_breaches — a new breach opened, a recovered one closed — each with its
// outbox event (`slo.breached`, `slo.recovered`) and its audit event, in the transaction of the
// change (STYLE.md §17). A breach that stays open changes nothing, so it notifies once however
// often the evaluator runs. One database at a time under a transaction-scoped advisory lock:
// two evaluators (two workers, or a timer and a finished backup) never open the same breach
// twice, and the partial unique index on open breaches is the second net.
// Runs every minute on a pg-boss cron (src/runtime/jobs.ts, one worker takes each firing) and
// after each backup and drill of the database. The clock is an argument, so tests inject time.
import { sql } from 'kysely';
import { recordAudit } from '../audit/record.js';
import type { Catalog } from '../catalog/types.js';
import { recordEvent } from '../notify/events.js';
import type { Db } from '../store/db.js';
import { type Breach, breachChanges, evaluateSlos } from './evaluate.js';
import { readSloFacts } from './facts.js';

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
  const names = databases ?? Object.keys(deps.catalog.databases);
  for (const name of names) {
    const config = deps.catalog.databases[name];
    if (!config) continue;
    const changes = await deps.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${SLO_LOCK}, hashtext(${name}))`.execute(trx);
      const breaches = evaluateSlos(config, await readSloFacts(trx, name), now);
      const open = await trx
        .selectFrom('slo_breaches')
        .select(['id', 'slo', 'message', 'opened_at'])
        .where('database', '=', name)
        .where('closed_at', 'is', null)
        .execute();
      const { toOpen, toClose } = breachChanges(open, breaches);
      for (const b of toOpen) {
        await trx
          .insertInto('slo_breaches')
          .values({
            database: name,
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
          subjectId: name,
          outcome: 'failure',
          details: { slo: b.slo, message: b.message, ...b.details },
        });
        await recordEvent(trx, {
          type: 'slo.breached',
          data: { database: name, slo: b.slo, message: b.message, openedAt: now.toISOString(), closedAt: null },
          subjectType: 'database',
          subjectId: name,
        });
      }
      for (const slo of toClose) {
        const row = open.find((o) => o.slo === slo)!;
        await trx.updateTable('slo_breaches').set({ closed_at: now }).where('id', '=', row.id).execute();
        await recordAudit(trx, {
          actor: 'lifeboat',
          action: 'slo.recover',
          subjectType: 'database',
          subjectId: name,
          details: { slo, openedAt: row.opened_at.toISOString() },
        });
        await recordEvent(trx, {
          type: 'slo.recovered',
          data: {
            database: name,
            slo,
            message: row.message,
            openedAt: row.opened_at.toISOString(),
            closedAt: now.toISOString(),
          },
          subjectType: 'database',
          subjectId: name,
        });
      }
      return { opened: toOpen, closed: toClose.map((slo) => ({ database: name, slo })) };
    });
    out.opened.push(...changes.opened);
    out.closed.push(...changes.closed);
  }
  if (databases === undefined) out.closed.push(...(await withdrawRemoved(deps, now)));
  return out;
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

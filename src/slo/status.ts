// The recovery status of databases (`lifeboat status`, GET /api/v1/status), read from the backup,
// drill, restore and breach tables. The breaches are the open rows of slo_breaches: what was
// alerted, judged by the evaluator (src/slo/monitor.ts) at most a minute ago.
import type { DatabaseConfig } from '../catalog/types.js';
import type { DatabaseStatus } from '../contract/status.js';
import type { Db } from '../store/db.js';
import type { SloFacts, SloKind } from './evaluate.js';
import { readSloFactsOf } from './facts.js';

const seconds = (ms: number) => Math.round(ms / 1000);

export async function readStatus(db: Db, databases: readonly DatabaseConfig[], now: Date): Promise<DatabaseStatus[]> {
  const facts = await readSloFactsOf(
    db,
    databases.map((d) => d.name),
  );
  return Promise.all(databases.map((d) => databaseStatus(db, d, facts.get(d.name)!, now)));
}

async function databaseStatus(db: Db, d: DatabaseConfig, facts: SloFacts, now: Date): Promise<DatabaseStatus> {
  const [drill, restore, breaches] = await Promise.all([
    db
      .selectFrom('drills')
      .select(['id', 'status', 'finished_at', 'restore_ms'])
      .where('database', '=', d.name)
      .where('status', 'in', ['passed', 'failed'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('restore_runs')
      .select(['id', 'started_at', 'finished_at'])
      .where('database', '=', d.name)
      .where('status', '=', 'completed')
      .where('started_at', 'is not', null)
      .where('finished_at', 'is not', null)
      .orderBy('finished_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('slo_breaches')
      .select(['slo', 'opened_at', 'message'])
      .where('database', '=', d.name)
      .where('closed_at', 'is', null)
      .orderBy('opened_at')
      .orderBy('id')
      .execute(),
  ]);
  const newest = facts.newestVerified;
  const ageMs = newest ? Math.max(0, now.getTime() - newest.at.getTime()) : null;
  const drillRestoreMs = drill?.restore_ms == null ? null : Number(drill.restore_ms);

  // the newer of the last drill's restore and the last completed restore run
  const measured: Array<{ at: number; ms: number; from: 'drill' | 'restore'; id: number }> = [];
  if (drill?.finished_at && drillRestoreMs !== null)
    measured.push({ at: drill.finished_at.getTime(), ms: drillRestoreMs, from: 'drill', id: Number(drill.id) });
  if (restore?.started_at && restore.finished_at)
    measured.push({
      at: restore.finished_at.getTime(),
      ms: restore.finished_at.getTime() - restore.started_at.getTime(),
      from: 'restore',
      id: restore.id,
    });
  const last = measured.sort((a, b) => b.at - a.at)[0];

  return {
    database: d.name,
    owner: d.owner,
    newestVerifiedBackup:
      newest && ageMs !== null ? { id: newest.id, at: newest.at.toISOString(), ageSeconds: seconds(ageMs) } : null,
    rpo: {
      target: d.rpo?.text ?? null,
      targetSeconds: d.rpo ? seconds(d.rpo.ms) : null,
      achievedSeconds: ageMs === null ? null : seconds(ageMs),
      met: d.rpo ? ageMs !== null && ageMs <= d.rpo.ms : null,
    },
    lastDrill: drill
      ? {
          id: Number(drill.id),
          status: drill.status,
          finishedAt: drill.finished_at?.toISOString() ?? null,
          restoreSeconds: drillRestoreMs === null ? null : drillRestoreMs / 1000,
        }
      : null,
    restoreTime: {
      measuredSeconds: last ? last.ms / 1000 : null,
      from: last?.from ?? null,
      id: last?.id ?? null,
      rto: d.rto?.text ?? null,
      rtoSeconds: d.rto ? seconds(d.rto.ms) : null,
      met: d.rto && last ? last.ms <= d.rto.ms : null,
    },
    breaches: breaches.map((b) => ({ slo: b.slo as SloKind, openedAt: b.opened_at.toISOString(), message: b.message })),
  };
}

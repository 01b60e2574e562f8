// What the SLO rules judge, read from the backup and drill catalogs (the I/O half of
// src/slo/evaluate.ts): four queries for any number of databases, so that judging every
// database each minute stays cheap. A backup's time is when it started (its snapshot); a corrupt
// backup's is when it was taken too, so that "a newer verified backup" means newer data.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { SloFacts } from './evaluate.js';
import { PITR_TRIGGER } from '../backup/status.js';

/** Backups that were written to the end: a queued or running one is not an attempt yet. */
const ATTEMPTED = ['completed', 'verified', 'corrupt', 'unverifiable', 'failed'];

export async function readSloFacts(db: Kysely<Database>, database: string): Promise<SloFacts> {
  return (await readSloFactsOf(db, [database])).get(database)!;
}

/** The facts of each of `databases` (every name gets an entry). */
export async function readSloFactsOf(
  db: Kysely<Database>,
  databases: readonly string[],
): Promise<Map<string, SloFacts>> {
  const out = new Map<string, SloFacts>(
    databases.map((d) => [
      d,
      { newestVerified: null, newestAttempt: null, newestCorrupt: null, lastPassedDrill: null } satisfies SloFacts,
    ]),
  );
  if (databases.length === 0) return out;
  // the newest backup per database among those `status` allows
  const newest = (statuses: string[]) =>
    db
      .selectFrom('backups')
      .distinctOn('database')
      .select(['database', 'id', 'status', 'created_at', 'started_at', 'error', 'verify_error'])
      .where('database', 'in', databases)
      .where('deleted_at', 'is', null)
      .where('status', 'in', statuses)
      .where('trigger', '<>', PITR_TRIGGER)
      .orderBy('database')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  const [verified, attempts, corrupt, drills] = await Promise.all([
    newest(['verified']),
    newest(ATTEMPTED),
    newest(['corrupt']),
    db
      .selectFrom('drills')
      .distinctOn('database')
      .select(['database', 'id', 'finished_at'])
      .where('database', 'in', databases)
      .where('status', '=', 'passed')
      .where('finished_at', 'is not', null)
      .orderBy('database')
      .orderBy('finished_at', 'desc')
      .execute(),
  ]);
  const at = (b: { started_at: Date | null; created_at: Date }) => b.started_at ?? b.created_at;
  for (const b of verified) out.get(b.database)!.newestVerified = { id: b.id, at: at(b) };
  for (const b of attempts)
    out.get(b.database)!.newestAttempt = { id: b.id, status: b.status, at: at(b), error: b.error };
  for (const b of corrupt) out.get(b.database)!.newestCorrupt = { id: b.id, at: at(b), reason: b.verify_error };
  for (const d of drills)
    if (d.finished_at) out.get(d.database)!.lastPassedDrill = { id: Number(d.id), at: d.finished_at };
  return out;
}

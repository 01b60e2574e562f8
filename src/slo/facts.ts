// What the SLO rules judge, read from the backup and drill catalogs for one database (the I/O
// half of src/slo/evaluate.ts). A backup's time is when it started (its snapshot); a corrupt
// backup's is when it was taken too, so that "a newer verified backup" means newer data.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { SloFacts } from './evaluate.js';

/** Backups that were written to the end: a queued or running one is not an attempt yet. */
const ATTEMPTED = ['completed', 'verified', 'corrupt', 'unverifiable', 'failed'];

export async function readSloFacts(db: Kysely<Database>, database: string): Promise<SloFacts> {
  const backups = db
    .selectFrom('backups')
    .select(['id', 'status', 'created_at', 'started_at', 'error', 'verify_error'])
    .where('database', '=', database)
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1);
  const [verified, attempt, corrupt, drill] = await Promise.all([
    backups.where('status', '=', 'verified').executeTakeFirst(),
    backups.where('status', 'in', ATTEMPTED).executeTakeFirst(),
    backups.where('status', '=', 'corrupt').executeTakeFirst(),
    db
      .selectFrom('drills')
      .select(['id', 'finished_at'])
      .where('database', '=', database)
      .where('status', '=', 'passed')
      .where('finished_at', 'is not', null)
      .orderBy('finished_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  const at = (b: { started_at: Date | null; created_at: Date }) => b.started_at ?? b.created_at;
  return {
    newestVerified: verified ? { id: verified.id, at: at(verified) } : null,
    newestAttempt: attempt ? { id: attempt.id, status: attempt.status, at: at(attempt), error: attempt.error } : null,
    newestCorrupt: corrupt ? { id: corrupt.id, at: at(corrupt), reason: corrupt.verify_error } : null,
    lastPassedDrill: drill?.finished_at ? { id: Number(drill.id), at: drill.finished_at } : null,
  };
}

// Asking for a drill: the target is checked (never production), the backup chosen (the newest
// verified one unless named), and the drill row, its job and its audit event written in one
// transaction (STYLE.md §8).
import type PgBoss from 'pg-boss';
import { recordAudit } from '../audit/record.js';
import { getDatabase } from '../catalog/lookup.js';
import type { Catalog } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import { drillName } from '../restore/names.js';
import type { Db } from '../store/db.js';
import { enqueueIn } from '../worker/queue.js';
import { drillTarget } from './target-rule.js';
import { PITR_TRIGGER } from '../backup/status.js';

export const DRILL_QUEUE = 'drill.run';

export interface DrillRequest {
  database: string;
  backupId?: string;
  target?: string;
  actor: string;
  trigger: 'manual' | 'schedule';
  requestId?: string;
}

export async function requestDrill(
  db: Db,
  queue: PgBoss,
  catalog: Catalog,
  req: DrillRequest,
): Promise<{ id: number }> {
  const database = getDatabase(catalog, req.database);
  const server = drillTarget(catalog, database.name, req.target);
  let q = db
    .selectFrom('backups')
    .select(['id', 'status'])
    .where('database', '=', database.name)
    .where('deleted_at', 'is', null);
  q = req.backupId
    ? q.where('id', '=', req.backupId)
    : q.where('status', '=', 'verified').where('trigger', '<>', PITR_TRIGGER).orderBy('created_at', 'desc');
  const backup = await q.limit(1).executeTakeFirst();
  if (!backup) {
    throw new LifeboatError(
      'not_found',
      req.backupId
        ? `no backup ${req.backupId} of ${database.name}`
        : `${database.name} has no verified backup to drill`,
      { hint: `list its backups with \`lifeboat backup list ${database.name}\`` },
    );
  }
  if (backup.status !== 'verified' && backup.status !== 'completed') {
    throw new LifeboatError('conflict', `backup ${backup.id} is ${backup.status}: it cannot be drilled`, {
      hint: 'drill a verified backup (the default: the newest one)',
    });
  }
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('drills')
      .values({
        database: database.name,
        owner_team: database.owner,
        backup_id: backup.id,
        target_server: server.name,
        scratch_dbname: '',
        status: 'queued',
        trigger: req.trigger,
        requested_by: req.actor,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    await trx
      .updateTable('drills')
      .set({ scratch_dbname: drillName(database.dbname, id) })
      .where('id', '=', id)
      .execute();
    await enqueueIn(trx, queue, DRILL_QUEUE, { drillId: id }, { retryLimit: 0, expireInHours: 12 });
    await recordAudit(trx, {
      actor: req.actor,
      action: 'drill.request',
      subjectType: 'drill',
      subjectId: String(id),
      details: { database: database.name, backup: backup.id, target: server.name, trigger: req.trigger },
      requestId: req.requestId ?? null,
    });
    return { id };
  });
}

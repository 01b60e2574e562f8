// "The database as it was at time T" (PRODUCT.md capability 3-5, issue 18 item 3): for a database
// whose server has physical backups (a `pgbackrest:` section), a restore source `at: T` is a
// physical point in time, not the newest logical backup before T. It is made into an ordinary
// logical backup so that the rest of the restore engine — scope, checks, preview (rows per table
// from the manifest), masking in the COPY stream, approvals, staging and atomic swap — is the
// same as for any backup:
//   refuse a T outside the recovery window (before anything is written or restored)
//   → a backup row (trigger `pitr`) → recover a scratch instance to T (pgBackRest, new port)
//   → pg_dump it with the backup runbook (manifest, exact row counts, checksums, verification)
//   → remove the scratch instance, always.
// The intermediate backup is produced when the source is chosen (not at execution): the scope,
// the checks and the preview are then worked out from a real manifest of the state at T, and the
// approvers approve what will actually be restored. Its `finished_at` is when it was dumped, not
// T: logical "newest backup" choices (restore sources, DR plans, SLOs, drills) skip `pitr` backups.
import { randomBytes } from 'node:crypto';
import { recordAudit } from '../audit/record.js';
import { runBackup } from '../backup/run-backup.js';
import { setBackupStatus } from '../backup/set-status.js';
import { newBackupId, PITR_TRIGGER } from '../backup/status.js';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import { LifeboatError, messageOf } from '../errors.js';
import { type Logger, silentLogger } from '../lib/logger.js';
import { archiveStatus, readStanzaInfo } from '../physical/backup.js';
import { getRepo } from '../physical/lookup.js';
import { isPhysical, type PhysicalServer } from '../physical/pgbackrest.js';
import { recoverToNewInstance, type RecoverProgress, recoveryWindow, refuseTarget } from '../physical/recover.js';
import type { Db } from '../store/db.js';

export interface PitrDeps {
  db: Db;
  catalog: Catalog;
  logger?: Logger;
  /** Where scratch instances are made (default: the temp directory). */
  scratchDir?: string;
  signal?: AbortSignal;
  onProgress?: (p: RecoverProgress | { phase: 'dumping' } | { phase: 'removed' }) => void;
}

/** The database's server, when it has physical backups (then `at` is a physical point in time). */
export function physicalServerOf(catalog: Catalog, database: DatabaseConfig): PhysicalServer | undefined {
  const server = catalog.servers[database.server];
  return server && isPhysical(server) ? server : undefined;
}

/** Refuses T outside [oldest backup end, newest archived WAL], before anything is written. */
export async function assertInRecoveryWindow(catalog: Catalog, server: PhysicalServer, at: Date): Promise<void> {
  const storage = getRepo(catalog, server);
  const info = await readStanzaInfo(server, storage);
  const status = await archiveStatus(server, storage, info);
  const refusal = refuseTarget({ type: 'time', at }, recoveryWindow(info, status.lastArchivedAt));
  if (refusal) {
    throw new LifeboatError(
      'invalid_request',
      `unable to restore from server ${server.name} (stanza ${server.pgbackrest.stanza}) as at ${at.toISOString()}: ${refusal.message}`,
      { hint: refusal.hint },
    );
  }
}

/**
 * Makes the logical backup of `database` as it was at `at`; resolves with its id. The scratch
 * instance is removed whatever happens; a failed dump leaves a `failed` backup row with its log.
 */
export async function backupAsAt(
  deps: PitrDeps,
  database: DatabaseConfig,
  at: Date,
  actor: string,
  requestId: string | null,
): Promise<string> {
  const server = physicalServerOf(deps.catalog, database);
  if (!server) {
    throw new LifeboatError(
      'invalid_request',
      `server ${database.server} of ${database.name} has no physical backups`,
      {
        hint: `add a pgbackrest: section to servers.${database.server}, or restore a logical backup by id`,
      },
    );
  }
  if (!database.backup) {
    throw new LifeboatError(
      'invalid_request',
      `unable to restore ${database.name} as at ${at.toISOString()}: it has no backup policy to store the state at that time in`,
      { hint: `add a backup: section (storage) to databases.${database.name} in lifeboat.yaml` },
    );
  }
  await assertInRecoveryWindow(deps.catalog, server, at);

  const id = newBackupId(new Date(), randomBytes(2).toString('hex'));
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('backups')
      .values({
        id,
        database: database.name,
        server: database.server,
        storage: database.backup!.storage,
        status: 'queued',
        trigger: PITR_TRIGGER,
        requested_by: actor,
      })
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'backup.run',
      subjectType: 'backup',
      subjectId: id,
      details: {
        database: database.name,
        trigger: PITR_TRIGGER,
        at: at.toISOString(),
        server: server.name,
        stanza: server.pgbackrest.stanza,
      },
      requestId,
    });
  });

  const progress = deps.onProgress ?? (() => {});
  const instance = await recoverToNewInstance({
    server,
    storage: getRepo(deps.catalog, server),
    target: { type: 'time', at },
    ...(deps.scratchDir ? { parentDir: deps.scratchDir } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    onProgress: progress,
  }).catch(async (err: unknown) => {
    const reason = messageOf(err);
    await setBackupStatus(deps.db, id, 'fail', {
      set: { error: reason, finished_at: new Date() },
      audit: { actor, action: 'backup.fail', outcome: 'failure', details: { reason } },
    });
    throw err;
  });
  let status: string;
  try {
    progress({ phase: 'dumping' });
    status = await runBackup(
      {
        db: deps.db,
        catalog: deps.catalog,
        logger: deps.logger ?? silentLogger(),
        from: instance.url,
        ...(deps.signal ? { signal: deps.signal } : {}),
      },
      id,
    );
  } finally {
    // the scratch instance holds a full copy of the server: never left behind
    await instance.remove();
    progress({ phase: 'removed' });
  }
  if (status === 'failed') {
    const row = await deps.db.selectFrom('backups').select('error').where('id', '=', id).executeTakeFirst();
    throw new LifeboatError(
      'engine_failed',
      `unable to back up ${database.name} as at ${at.toISOString()}: ${row?.error ?? 'the dump failed'}`,
      { hint: `read the backup's log: \`lifeboat backup show ${id}\`` },
    );
  }
  return id;
}

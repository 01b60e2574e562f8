// Backup documents of the API, shared by the server and the CLI.
import { z } from 'zod';
import { BACKUP_STATUSES } from '../backup/status.js';
import { backupId, catalogName, line, queryBoolean, queryInt } from './fields.js';

export const BackupStatusEnum = z.enum(BACKUP_STATUSES);

export const BACKUP_PHASES = ['restoring_files', 'replaying_wal', 'dumping', 'verifying'] as const;

/**
 * Where a running backup is. A backup of a database as it was at T (trigger pitr) restores the
 * files of a physical backup, replays WAL up to T, then dumps and verifies like any backup.
 */
export const BackupProgressDoc = z.object({
  phase: z.enum(BACKUP_PHASES),
  percent: z.number().nullable().describe('of the phase; null when it cannot be told yet'),
  bytes: z.number().optional().describe('restoring_files: bytes restored'),
  totalBytes: z.number().nullable().optional().describe("restoring_files: the physical backup's size"),
  replayedLsn: z.string().nullable().optional().describe('replaying_wal: the last replayed WAL position'),
  replayedAt: z.string().nullable().optional().describe('replaying_wal: the time of the last replayed commit'),
  target: z.string().nullable().optional().describe('replaying_wal: the time replay stops at (T)'),
  tables: z.number().optional().describe('dumping: tables whose data pg_dump has finished'),
  totalTables: z.number().optional().describe('dumping: tables in the snapshot'),
  updatedAt: z.string(),
});
export type BackupProgressDoc = z.infer<typeof BackupProgressDoc>;

export const BackupDoc = z.object({
  id: z.string(),
  database: z.string(),
  server: z.string(),
  storage: z.string(),
  status: BackupStatusEnum,
  trigger: z.string(),
  requestedBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  bytes: z.number().nullable(),
  rows: z.number().nullable(),
  error: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  verifyError: z.string().nullable(),
  at: z.string().nullable().describe('a backup of the database as it was at a point in time (trigger pitr): that time'),
  progress: BackupProgressDoc.nullable().describe('while the backup is queued, running or being verified'),
});
export type BackupDoc = z.infer<typeof BackupDoc>;

export const BackupDetail = BackupDoc.extend({
  manifest: z.unknown().nullable(),
  log: z.string().optional(),
});
export type BackupDetail = z.infer<typeof BackupDetail>;

export const BackupRunRequest = z.object({ database: catalogName('database') });
/**
 * POST /api/v1/backups/as-at: prepare a restore source, the database as it was at `at`, on a
 * worker (a database whose server has physical backups). Answered 202 with the queued backup at
 * once, once `at` was checked against the recovery window; follow it with GET /api/v1/backups/:id
 * (progress, ?wait=) and request the restore with its id (`backupId`). A verified backup of the
 * same database and time is answered (200) instead of a new one.
 */
export const BackupAsAtRequest = z.object({
  database: catalogName('database'),
  at: z.iso.datetime({ offset: true }).describe('the time the database is to be recovered to (ISO 8601)'),
});
export type BackupAsAtRequest = z.infer<typeof BackupAsAtRequest>;
export const BackupListQuery = z.object({
  database: catalogName('database').optional(),
  limit: queryInt(1, 1000).default(100),
});
export const BackupList = z.object({ backups: z.array(BackupDoc) });
export type BackupList = z.infer<typeof BackupList>;
export const BackupIdParams = z.object({ id: backupId });
export const BackupShowQuery = z.object({
  log: queryBoolean.default(false),
  /** Seconds to wait for the backup to finish (verified, corrupt or failed) before answering. */
  wait: queryInt(0, 60).optional(),
  /** With wait: answer as soon as the status or the progress changes (a client showing progress). */
  changed: queryBoolean.default(false),
});

/** Where the client writes a fetched backup: recorded in the audit trail. */
export const BackupFetchRequest = z.object({ host: line(255), dir: line(4096) });
export type BackupFetchRequest = z.infer<typeof BackupFetchRequest>;

export const PruneRequest = z.object({
  database: catalogName('database').optional(),
  dryRun: z.boolean().default(false),
});
export const PruneResult = z.object({
  dryRun: z.boolean(),
  databases: z.array(
    z.object({
      database: z.string(),
      keep: z.array(z.object({ id: z.string(), reasons: z.array(z.string()) })),
      remove: z.array(z.object({ id: z.string(), why: z.string() })),
    }),
  ),
});
export type PruneResult = z.infer<typeof PruneResult>;

export { TERMINAL_BACKUP_STATUSES } from '../backup/status.js';

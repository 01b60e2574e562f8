// Backup documents of the API, shared by the server and the CLI.
import { z } from 'zod';
import { BACKUP_STATUSES } from '../backup/status.js';
import { backupId, catalogName, line, queryBoolean, queryInt } from './fields.js';

export const BackupStatusEnum = z.enum(BACKUP_STATUSES);

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
});
export type BackupDoc = z.infer<typeof BackupDoc>;

export const BackupDetail = BackupDoc.extend({
  manifest: z.unknown().nullable(),
  log: z.string().optional(),
});
export type BackupDetail = z.infer<typeof BackupDetail>;

export const BackupRunRequest = z.object({ database: catalogName('database') });
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

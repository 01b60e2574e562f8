// Backup documents of the API, shared by the server and the CLI.
import { z } from 'zod';
import { BACKUP_STATUSES } from '../backup/status.js';

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

export const BackupRunRequest = z.object({ database: z.string().min(1) });
export const BackupListQuery = z.object({
  database: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const BackupList = z.object({ backups: z.array(BackupDoc) });
export const BackupIdParams = z.object({ id: z.string().min(1) });
export const BackupShowQuery = z.object({
  log: z.coerce.boolean().default(false),
  /** Seconds to wait for the backup to finish (verified, corrupt or failed) before answering. */
  wait: z.coerce.number().min(0).max(60).optional(),
});

/** Control characters (NUL above all) never reach the store or the audit trail. */
const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** Where the client writes a fetched backup: recorded in the audit trail. */
export const BackupFetchRequest = z.object({ host: printable(255), dir: printable(4096) });
export type BackupFetchRequest = z.infer<typeof BackupFetchRequest>;

export const PruneRequest = z.object({ database: z.string().optional(), dryRun: z.boolean().default(false) });
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

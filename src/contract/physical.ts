// Physical (pgBackRest) backup documents of the API, shared by the server and the CLI.
import { z } from 'zod';
import { PHYSICAL_BACKUP_TYPES } from '../catalog/types.js';
import { catalogName, queryInt } from './fields.js';

export const PhysicalBackupDoc = z.object({
  server: z.string(),
  stanza: z.string(),
  label: z.string(),
  type: z.enum(PHYSICAL_BACKUP_TYPES),
  prior: z.string().nullable(),
  startedAt: z.string(),
  stoppedAt: z.string(),
  startLsn: z.string().nullable(),
  stopLsn: z.string().nullable(),
  walStart: z.string().nullable(),
  walStop: z.string().nullable(),
  size: z.number().nullable(),
  repoSize: z.number().nullable(),
  /** The database system identifier, exact (it exceeds JavaScript's safe integers). */
  systemId: z.string(),
  pgVersion: z.string().nullable(),
  trigger: z.string(),
  requestedBy: z.string().nullable(),
  verifyStatus: z.string(),
  verifyError: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  expiredAt: z.string().nullable(),
});
export type PhysicalBackupDoc = z.infer<typeof PhysicalBackupDoc>;

export const PhysicalBackupList = z.object({ backups: z.array(PhysicalBackupDoc) });
export type PhysicalBackupList = z.infer<typeof PhysicalBackupList>;
export const PhysicalListQuery = z.object({
  server: catalogName('server').optional(),
  limit: queryInt(1, 1000).default(100),
});
export const ServerParams = z.object({ server: catalogName('server') });
export const PhysicalRunRequest = z.object({ type: z.enum(PHYSICAL_BACKUP_TYPES).default('incr') });
export const PhysicalRunQueued = z.object({
  server: z.string(),
  type: z.enum(PHYSICAL_BACKUP_TYPES),
  jobId: z.string(),
});
export type PhysicalRunQueued = z.infer<typeof PhysicalRunQueued>;

export const PhysicalSetupResult = z.object({
  server: z.string(),
  stanza: z.string(),
  conf: z.string(),
  settings: z.record(z.string(), z.string()),
  archiving: z.boolean(),
  checkError: z.string().optional(),
});
export type PhysicalSetupResult = z.infer<typeof PhysicalSetupResult>;

export const ArchiveStatusDoc = z.object({
  server: z.string(),
  stanza: z.string(),
  lastArchivedSegment: z.string().nullable(),
  lastArchivedAt: z.string().nullable(),
  oldestSegment: z.string().nullable(),
  failedCount: z.number().nullable(),
  lastFailedWal: z.string().nullable(),
  lastFailedAt: z.string().nullable(),
  serverReachable: z.boolean(),
  /** The most a recovery right now would lose (ms): now − lastArchivedAt. */
  rpoMs: z.number().nullable(),
  /** The stanza's status from `pgbackrest info`. */
  stanzaStatus: z.string(),
  backups: z.number(),
});
export type ArchiveStatusDoc = z.infer<typeof ArchiveStatusDoc>;

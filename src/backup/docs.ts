// Catalog rows → API documents.
import type { Selectable } from 'kysely';
import type { BackupDetail, BackupDoc, BackupProgressDoc } from '../contract/backups.js';
import { TERMINAL_BACKUP_STATUSES } from './status.js';
import type { BackupTable } from '../store/schema.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function backupDoc(r: Selectable<BackupTable>): BackupDoc {
  return {
    id: r.id,
    database: r.database,
    server: r.server,
    storage: r.storage,
    status: r.status as BackupDoc['status'],
    trigger: r.trigger,
    requestedBy: r.requested_by,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    bytes: r.bytes,
    rows: r.rows,
    error: r.error,
    verifiedAt: iso(r.verified_at),
    verifyError: r.verify_error,
    at: iso(r.point_in_time),
    // (a finished backup's last report is history: its outcome says the rest)
    progress: TERMINAL_BACKUP_STATUSES.has(r.status) ? null : ((r.progress as BackupProgressDoc | null) ?? null),
  };
}

export function backupDetail(r: Selectable<BackupTable>, withLog: boolean): BackupDetail {
  return { ...backupDoc(r), manifest: r.manifest ?? null, ...(withLog ? { log: r.log } : {}) };
}

// Which restore-run status changes notify, and the facts of the message. Called by the one writer
// of a run's status (src/restore/run-state.ts) inside its transaction. A dry run is the
// requester's own business: its steps, its expiry and its cancellation notify nobody.
import type { Transaction } from 'kysely';
import { DRY_RUN_STATUSES, type RunEvent, type RunStatus } from '../restore/lifecycle.js';
import type { Database } from '../store/schema.js';
import { type NotifyType, type RunFacts, recordEvent } from './events.js';

/** The notification of a run going `from` → `to` by `event`, or undefined when it notifies nobody. */
export function runNotifyType(event: RunEvent, from: RunStatus, to: RunStatus): NotifyType | undefined {
  switch (event) {
    case 'source':
    case 'scope':
    case 'check':
    case 'preview':
    case 'enqueue':
      return undefined;
    case 'submit':
      return 'restore.submitted';
    case 'approve':
      // an approval that leaves others missing changes nothing anyone waits for
      return to === 'approved' ? 'restore.approved' : undefined;
    case 'void':
      // the plan changed under its approvals: the approvers must look again
      return from === 'pending_approval' ? undefined : 'restore.submitted';
    case 'reject':
      return 'restore.rejected';
    case 'expire':
      return DRY_RUN_STATUSES.has(from) ? undefined : 'restore.expired';
    case 'cancel':
      return DRY_RUN_STATUSES.has(from) ? undefined : 'restore.cancelled';
    case 'schedule':
      return 'restore.scheduled';
    case 'start':
      return 'restore.started';
    case 'complete':
      return 'restore.completed';
    case 'complete_partially':
      return 'restore.partial';
    case 'fail':
      return 'restore.failed';
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** Records the notification of a status change of run `runId` (read after the change, in `trx`). */
export async function recordRunEvent(
  trx: Transaction<Database>,
  runId: number,
  change: { event: RunEvent; from: RunStatus; to: RunStatus; actor: string },
): Promise<void> {
  const type = runNotifyType(change.event, change.from, change.to);
  if (type === undefined) return;
  const r = await trx
    .selectFrom('restore_runs')
    .select([
      'database',
      'owner_team',
      'source_server',
      'destination_server',
      'destination_dbname',
      'destination_tier',
      'backup_id',
      'point_in_time',
      'justification',
      'approvals_required',
      'start_at',
      'started_at',
      'finished_at',
      'requested_by',
      'error',
      'error_step',
    ])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  const data: RunFacts = {
    run: runId,
    status: change.to,
    database: r.database,
    team: r.owner_team,
    source: r.source_server,
    destination: `${r.destination_server}/${r.destination_dbname}`,
    tier: r.destination_tier,
    requester: r.requested_by,
    actor: change.actor,
    backupId: r.backup_id,
    pointInTime: iso(r.point_in_time),
    justification: r.justification,
    approvalsRequired: r.approvals_required,
    startAt: iso(r.start_at),
    durationMs:
      r.started_at && r.finished_at ? new Date(r.finished_at).getTime() - new Date(r.started_at).getTime() : null,
    error: r.error,
    errorStep: r.error_step,
  };
  await recordEvent(trx, { type, data, subjectType: 'run', subjectId: String(runId) } as Parameters<
    typeof recordEvent
  >[1]);
}

// An approver's inbox (`restore list --awaiting-me`): runs waiting for an approval the principal
// may give. The teams come from the access policy's own answer (teamScope asks `decide`'s
// questions), put in SQL before the page's limit; the requester and those who already approved
// are left out, as are runs whose expiry has come (the sweep ends them within seconds).
import { type SelectQueryBuilder, sql } from 'kysely';
import { type PolicySettings, teamScope } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { Database } from '../store/schema.js';

export function awaitingApprovalBy<O>(
  q: SelectQueryBuilder<Database, 'restore_runs', O>,
  p: Principal,
  policy: PolicySettings,
  now: Date = new Date(),
): SelectQueryBuilder<Database, 'restore_runs', O> {
  const scope = teamScope(p, 'restore.approve', policy);
  if (!scope.all && scope.teams.length === 0) return q.where(sql<boolean>`false`);
  let out = q
    .where('restore_runs.status', '=', 'pending_approval')
    .where('restore_runs.requested_by', '!=', p.user)
    .where((eb) => eb.or([eb('restore_runs.expires_at', 'is', null), eb('restore_runs.expires_at', '>', now)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('restore_approvals')
            .select('restore_approvals.id')
            .whereRef('restore_approvals.run_id', '=', 'restore_runs.id')
            .where('restore_approvals.approver', '=', p.user)
            .where('restore_approvals.decision', '=', 'approve')
            .where('restore_approvals.voided_at', 'is', null),
        ),
      ),
    );
  if (!scope.all) out = out.where('restore_runs.owner_team', 'in', scope.teams);
  return out;
}

// `dr plan <incident>`: list the database's recovery points (every kind), verify the newest
// ones' checksums in turn until one verifies (a logical backup through src/backup/verify-backup.ts,
// which also marks a corrupt backup as such, notified and audited; a physical one by its recorded
// `pgbackrest verify` verdict, verifying the stanza when it has none), choose with the pure rule (plan-rule.ts) and
// persist the plan through the incident's status writer. A re-plan is audited with what changed.
import type { Catalog } from '../catalog/types.js';
import { verifyBackup } from '../backup/verify-backup.js';
import type { PlanDoc } from '../contract/dr.js';
import { LifeboatError, messageOf } from '../errors.js';
import { verifyStanza } from '../physical/backup.js';
import { getRepo, getServerOf } from '../physical/lookup.js';
import type { Db } from '../store/db.js';
import { transitionIncident } from './incident-state.js';
import { incidentStatusOf, nextIncidentStatus, refusal } from './lifecycle.js';
import { type Candidate, choosePoint, formatSeconds } from './plan-rule.js';
import { pointLabel, type RecoveryPoint, recoveryCandidates, samePoint } from './recovery-point.js';

export interface PlanDeps {
  db: Db;
  catalog: Catalog;
  signal?: AbortSignal;
}

/** What a point's checksums say, asked of its kind's verifier. */
async function checkPoint(deps: PlanDeps, point: RecoveryPoint, actor: string): Promise<Candidate['integrity']> {
  switch (point.kind) {
    case 'logical': {
      if (point.knownProblem !== null) return { state: 'corrupt', reason: point.knownProblem };
      const verdict = await verifyBackup(deps, point.backupId, { actor });
      switch (verdict.status) {
        case 'verified':
          return { state: 'valid' };
        case 'corrupt':
          return { state: 'corrupt', reason: verdict.reason };
        case 'unverifiable':
          return { state: 'unverifiable', reason: verdict.reason };
        default: {
          const never: never = verdict;
          return never;
        }
      }
    }
    case 'physical': {
      if (point.knownProblem !== null) return { state: 'corrupt', reason: point.knownProblem };
      // the recorded `pgbackrest verify` verdict; a set never verified is verified now
      const verdict = async () =>
        deps.db
          .selectFrom('physical_backups')
          .select(['verify_status', 'verify_error'])
          .where('server', '=', point.server)
          .where('label', '=', point.label)
          .executeTakeFirst();
      let row = await verdict();
      if (row?.verify_status === 'unverified') {
        const server = getServerOf(deps.catalog, point.server);
        try {
          await verifyStanza(deps.db, server, getRepo(deps.catalog, server), deps.signal);
        } catch (err) {
          return { state: 'unverifiable', reason: `pgbackrest verify: ${messageOf(err)}` };
        }
        row = await verdict();
      }
      switch (row?.verify_status) {
        case 'verified':
          return { state: 'valid' };
        case 'failed':
          return { state: 'corrupt', reason: `pgbackrest verify: ${row.verify_error ?? 'the backup set is invalid'}` };
        case undefined:
          return { state: 'unverifiable', reason: 'the backup set is no longer in the catalog' };
        default:
          return { state: 'unverifiable', reason: 'pgbackrest verify did not report on this backup set' };
      }
    }
    default: {
      const never: never = point;
      return never;
    }
  }
}

export async function planIncident(
  deps: PlanDeps,
  incidentId: number,
  actor: string,
  requestId?: string | null,
): Promise<PlanDoc> {
  const row = await deps.db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirst();
  if (!row)
    throw new LifeboatError('not_found', `no incident ${incidentId}`, {
      hint: 'list incidents with `lifeboat dr list`',
    });
  const status = incidentStatusOf(row.status);
  // refused before any backup is read (verifying is the slow part)
  if (!nextIncidentStatus(status, 'plan')) {
    const r = refusal(incidentId, status, 'plan');
    throw new LifeboatError('invalid_transition', r.message, { hint: r.hint });
  }
  const database = deps.catalog.databases[row.database];
  if (!database)
    throw new LifeboatError('not_found', `database ${row.database} is no longer in lifeboat.yaml`, {
      hint: 'put it back in lifeboat.yaml to recover it',
    });
  const failureAt = new Date(row.started_at).toISOString();
  const points = await recoveryCandidates(deps.db, deps.catalog, database, { failureAt: new Date(failureAt) });
  const candidates: Candidate[] = [];
  let found = false;
  for (const point of points) {
    // a point after the failure is skipped by the rule without being read
    if (found || Date.parse(point.takenAt) > Date.parse(failureAt)) {
      candidates.push({ point, integrity: { state: 'unchecked' } });
      continue;
    }
    const integrity = await checkPoint(deps, point, actor);
    candidates.push({ point, integrity });
    if (integrity.state === 'valid') found = true;
  }
  const decision = choosePoint({
    candidates,
    failureAt,
    ...(database.rpo ? { rpoMs: database.rpo.ms } : {}),
  });
  const plannedAt = new Date();
  const plan: PlanDoc = {
    failureAt,
    rpoSeconds: database.rpo ? Math.round(database.rpo.ms / 1000) : null,
    candidates: candidates.map((c) => ({
      point: c.point,
      integrity: c.integrity.state,
      reason: 'reason' in c.integrity ? c.integrity.reason : null,
    })),
    ...decision,
    plannedBy: actor,
    plannedAt: plannedAt.toISOString(),
  };
  const previous = row.plan as PlanDoc | null;
  const changed =
    previous === null
      ? null
      : samePoint(previous.chosen, plan.chosen)
        ? 'the same recovery point'
        : `${previous.chosen ? pointLabel(previous.chosen) : 'nothing'} → ${plan.chosen ? pointLabel(plan.chosen) : 'nothing'}`;
  const chosen = plan.chosen ? `${pointLabel(plan.chosen)} (taken ${plan.chosen.takenAt})` : 'no recovery point';
  const loss = plan.dataLossSeconds === null ? '' : `, ${formatSeconds(plan.dataLossSeconds)} of data lost`;
  await transitionIncident(deps.db, incidentId, {
    event: 'plan',
    actor,
    requestId: requestId ?? null,
    set: { plan: JSON.stringify(plan), planned_at: plannedAt },
    details: {
      chosen: plan.chosen ? pointLabel(plan.chosen) : null,
      rpoMet: plan.rpoMet,
      skipped: plan.skipped.map((s) => ({ point: pointLabel(s.point), reason: s.reason })),
      ...(changed !== null
        ? { replanned: true, previous: previous?.chosen ? pointLabel(previous.chosen) : null, changed }
        : {}),
    },
    timeline: {
      kind: 'plan',
      at: plannedAt,
      message:
        `${changed !== null ? `re-planned by ${actor} (${changed})` : `planned by ${actor}`}: ${chosen}${loss}` +
        (plan.skipped.length
          ? `; skipped ${plan.skipped.map((s) => `${pointLabel(s.point)} (${s.reason})`).join(', ')}`
          : '') +
        (plan.rpoMiss ? `; RPO missed: ${plan.rpoMiss}` : ''),
      details: { chosen: plan.chosen, rpoMet: plan.rpoMet, rpoMiss: plan.rpoMiss, skipped: plan.skipped },
    },
  });
  return plan;
}

// POST /api/v1/runs/:id/approve and /reject: an approver's decision on a run waiting for
// approvals. The route authorizes (a denial is audited and answered with its rule); the module
// (src/restore/approve.ts) holds every gate again, whoever calls it.
import { ErrorResponse } from '../../contract/errors.js';
import { RunApproveRequest, RunDoc, RunIdParams, RunRejectRequest } from '../../contract/runs.js';
import { LifeboatError } from '../../errors.js';
import { approveRun, rejectRun } from '../../restore/approve.js';
import { loadRun } from '../../restore/control.js';
import { RESTORE_QUEUE } from '../../restore/run-restore.js';
import { loadRunDoc } from '../../restore/run-docs.js';
import type { App } from '../app.js';
import { authorize } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};

export function approvalRoutes(app: App, deps: HttpDeps): void {
  const resourceOf = async (id: number) => {
    const run = await loadRun(deps.db, id);
    return { database: run.database, ownerTeam: run.owner_team, requestedBy: run.requested_by };
  };

  app.post(
    '/api/v1/runs/:id/approve',
    {
      schema: {
        summary:
          "Approve a run waiting for approvals: an approver of the owning team (a dba-admin only with policy.dba_admin_can_approve, recorded as an override), never the requester. The approval is bound to the run's plan; the last one needed starts or schedules the run",
        tags: ['runs'],
        params: RunIdParams,
        body: RunApproveRequest,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const { principal } = await authorize(deps, req, 'restore.approve', await resourceOf(req.params.id));
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      await approveRun(
        { db: deps.db, queue: deps.queue, catalog: deps.catalog },
        principal,
        req.params.id,
        req.body ?? {},
        String(req.id),
      );
      deps.wake?.(RESTORE_QUEUE);
      return loadRunDoc(deps, req.params.id);
    },
  );

  app.post(
    '/api/v1/runs/:id/reject',
    {
      schema: {
        summary: 'Reject a run waiting for approvals, with a comment saying why: the run ends (rejected)',
        tags: ['runs'],
        params: RunIdParams,
        body: RunRejectRequest,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const { principal } = await authorize(deps, req, 'restore.approve', await resourceOf(req.params.id));
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      await rejectRun(
        { db: deps.db, queue: deps.queue, catalog: deps.catalog },
        principal,
        req.params.id,
        req.body,
        String(req.id),
      );
      return loadRunDoc(deps, req.params.id);
    },
  );
}

// /api/v1/runs: request (dry run or submit), list (?awaitingMe: an approver's inbox), show, progress
// events (SSE), cancel, undo. Approving and rejecting: approvals.ts.
import { teamScope } from '../../access/policy.js';
import { ErrorResponse } from '../../contract/errors.js';
import {
  RunDoc,
  RunIdParams,
  RunList,
  RunListQuery,
  RunRequest,
  RunShowQuery,
  RunSubmitRequest,
  TERMINAL_RUN_STATUSES,
} from '../../contract/runs.js';
import { getDatabase } from '../../catalog/lookup.js';
import { LifeboatError } from '../../errors.js';
import { cancelRun, loadRun, undoRun } from '../../restore/control.js';
import { awaitingApprovalBy } from '../../restore/awaiting.js';
import { loadRunDoc, runDocs } from '../../restore/run-docs.js';
import { keptCopySizes } from '../../restore/kept-copies.js';
import { requestRestore } from '../../restore/request.js';
import { RESTORE_QUEUE } from '../../restore/run-restore.js';
import { submitRun } from '../../restore/submit.js';
import type { App } from '../app.js';
import { authorize, principalOf } from '../auth.js';
import { pollingFeed } from '../../store/changes.js';
import type { HttpDeps } from '../deps.js';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  422: ErrorResponse,
};

export function runRoutes(app: App, deps: HttpDeps): void {
  const changes = deps.changes ?? pollingFeed(500);
  const runResource = (r: { database: string; owner_team: string; requested_by: string }) => ({
    database: r.database,
    ownerTeam: r.owner_team,
    requestedBy: r.requested_by,
  });

  app.post(
    '/api/v1/runs',
    {
      schema: {
        summary: 'Request a restore: a dry run up to the preview, or (execute + confirm) submitted',
        tags: ['runs'],
        body: RunRequest,
        response: { 201: RunDoc, ...errors },
      },
    },
    async (req, reply) => {
      const database = getDatabase(deps.catalog, req.body.database);
      const { principal } = await authorize(deps, req, 'restore.request', {
        database: database.name,
        ownerTeam: database.owner,
      });
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      const id = await requestRestore(
        { db: deps.db, queue: deps.queue, catalog: deps.catalog },
        principal,
        req.body,
        String(req.id),
      );
      deps.wake?.(RESTORE_QUEUE);
      return reply.status(201).send(await loadRunDoc(deps, id));
    },
  );

  app.get(
    '/api/v1/runs',
    {
      schema: {
        summary: 'Restore runs, newest first, each with its kept previous copy and its size',
        tags: ['runs'],
        querystring: RunListQuery,
        response: { 200: RunList, ...errors },
      },
    },
    async (req) => {
      // only the runs this user may see, filtered before the limit so that a page is full
      const scope = teamScope(principalOf(req), 'restore.view', deps.catalog.policy);
      if (!scope.all && scope.teams.length === 0) return { runs: [] };
      let q = deps.db.selectFrom('restore_runs').selectAll().orderBy('id', 'desc').limit(req.query.limit);
      if (!scope.all) q = q.where('owner_team', 'in', scope.teams);
      if (req.query.database) q = q.where('database', '=', req.query.database);
      if (req.query.status) q = q.where('status', '=', req.query.status);
      if (req.query.awaitingMe) q = awaitingApprovalBy(q, principalOf(req), deps.catalog.policy);
      const rows = await q.execute();
      return { runs: await runDocs(deps, rows, { sizes: await keptCopySizes(deps.catalog, rows) }) };
    },
  );

  app.get(
    '/api/v1/runs/:id',
    {
      schema: {
        summary: 'One run (with ?log=true, its run log)',
        tags: ['runs'],
        params: RunIdParams,
        querystring: RunShowQuery,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const run = await loadRun(deps.db, req.params.id);
      await authorize(deps, req, 'restore.view', runResource(run));
      const sizes = await keptCopySizes(deps.catalog, [run]);
      return (await runDocs(deps, [run], { withLog: req.query.log, sizes }))[0];
    },
  );

  app.get(
    '/api/v1/runs/:id/events',
    {
      schema: {
        summary: 'Server-sent events: `progress` with the run document while it changes, `end` when it has ended',
        tags: ['runs'],
        params: RunIdParams,
        produces: ['text/event-stream'],
        response: { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      const first = await loadRun(deps.db, req.params.id);
      await authorize(deps, req, 'restore.view', runResource(first));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      let last = '';
      let closed = false;
      req.raw.on('close', () => (closed = true));
      // progress is persisted by the worker (any process, any machine): read the run when the
      // change feed says it changed (listening before reading, so no change is missed)
      while (!closed) {
        const changed = changes.next(`run:${first.id}`, 1000);
        const run = await loadRunDoc(deps, req.params.id);
        const doc = JSON.stringify(run);
        if (doc !== last) {
          res.write(`event: progress\ndata: ${doc}\n\n`);
          last = doc;
        }
        if (TERMINAL_RUN_STATUSES.has(run.status)) {
          res.write(`event: end\ndata: ${doc}\n\n`);
          break;
        }
        await changed;
      }
      res.end();
    },
  );

  app.post(
    '/api/v1/runs/:id/submit',
    {
      schema: {
        summary:
          'Submit a previewed dry run: the same run goes on (for approval, or queued when none is needed). Only its requester, with the impact acknowledged and the identifier typed back',
        tags: ['runs'],
        params: RunIdParams,
        body: RunSubmitRequest,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const run = await loadRun(deps.db, req.params.id);
      // still allowed to request restores of this database (a role or a team may have changed)
      const { principal } = await authorize(deps, req, 'restore.request', {
        database: run.database,
        ownerTeam: run.owner_team,
      });
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      await submitRun(
        { db: deps.db, queue: deps.queue, catalog: deps.catalog },
        principal,
        run.id,
        req.body,
        String(req.id),
      );
      deps.wake?.(RESTORE_QUEUE);
      return loadRunDoc(deps, run.id);
    },
  );

  app.post(
    '/api/v1/runs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a run; a running one stops its current step and cleans up',
        tags: ['runs'],
        params: RunIdParams,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const run = await loadRun(deps.db, req.params.id);
      const p = principalOf(req);
      // the requester may always cancel their own run; others need restore.cancel on the database
      if (p.user !== run.requested_by) await authorize(deps, req, 'restore.cancel', runResource(run));
      await cancelRun(deps.db, run.id, p.user, String(req.id));
      return loadRunDoc(deps, run.id);
    },
  );

  app.post(
    '/api/v1/runs/:id/undo',
    {
      schema: {
        summary:
          'Swap the kept previous copy of the destination back into place; the database there now is moved aside as <dbname>__lb_undone_<run>. Only the latest restore into a destination can be undone',
        tags: ['runs'],
        params: RunIdParams,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const run = await loadRun(deps.db, req.params.id);
      const p = principalOf(req);
      if (p.user !== run.requested_by) await authorize(deps, req, 'restore.undo', runResource(run));
      await undoRun({ db: deps.db, catalog: deps.catalog }, run.id, p.user, String(req.id));
      return loadRunDoc(deps, run.id);
    },
  );
}

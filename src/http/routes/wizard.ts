// The restore wizard's steps (src/restore/wizard.ts), one route each: a draft, its source, its
// scope, its checks and its preview. The requester moves their own run; every step answers with
// the run as it now stands. Submitting is POST /api/v1/runs/:id/submit (runs.ts).
import { ErrorResponse } from '../../contract/errors.js';
import {
  RunChecksDoc,
  RunDoc,
  RunDraftRequest,
  RunIdParams,
  RunScopeRequest,
  RunSourceRequest,
} from '../../contract/runs.js';
import { getDatabase } from '../../catalog/lookup.js';
import { loadRun } from '../../restore/control.js';
import { runDoc } from '../../restore/docs.js';
import { loadRunDoc } from '../../restore/run-docs.js';
import { buildPreview, chooseScope, chooseSource, createDraft, runChecks } from '../../restore/wizard.js';
import type { App } from '../app.js';
import { authorize } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  422: ErrorResponse,
};

export function wizardRoutes(app: App, deps: HttpDeps): void {
  const wizard = () => ({ db: deps.db, catalog: deps.catalog });
  /** Still allowed to request restores of the run's database (a role or a team may have changed). */
  const mayRequest = async (req: Parameters<typeof authorize>[1], id: number) => {
    const run = await loadRun(deps.db, id);
    const { principal } = await authorize(deps, req, 'restore.request', {
      database: run.database,
      ownerTeam: run.owner_team,
    });
    return principal;
  };

  app.post(
    '/api/v1/runs/draft',
    {
      schema: {
        summary: 'Wizard step 0: a draft run, its database and destination chosen (tier and identifier frozen on it)',
        tags: ['wizard'],
        body: RunDraftRequest,
        response: { 201: RunDoc, ...errors },
      },
    },
    async (req, reply) => {
      const database = getDatabase(deps.catalog, req.body.database);
      const { principal } = await authorize(deps, req, 'restore.request', {
        database: database.name,
        ownerTeam: database.owner,
      });
      const id = await createDraft(wizard(), principal, req.body, String(req.id));
      return reply.status(201).send(await loadRunDoc(deps, id));
    },
  );

  app.put(
    '/api/v1/runs/:id/source',
    {
      schema: {
        summary:
          'Wizard step 1: the backup to restore (by id, or the newest taken at or before a time). Resets the scope, checks, preview, confirmation and approvals',
        tags: ['wizard'],
        params: RunIdParams,
        body: RunSourceRequest,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const principal = await mayRequest(req, req.params.id);
      await chooseSource(wizard(), principal, req.params.id, req.body, String(req.id));
      return loadRunDoc(deps, req.params.id);
    },
  );

  app.put(
    '/api/v1/runs/:id/scope',
    {
      schema: {
        summary: 'Wizard step 2: all tables, or some. Resets the checks, preview, confirmation and approvals',
        tags: ['wizard'],
        params: RunIdParams,
        body: RunScopeRequest,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const principal = await mayRequest(req, req.params.id);
      const tables = req.body.tables === 'all' ? null : req.body.tables;
      await chooseScope(wizard(), principal, req.params.id, tables, String(req.id));
      return loadRunDoc(deps, req.params.id);
    },
  );

  app.post(
    '/api/v1/runs/:id/checks',
    {
      schema: {
        summary: 'Wizard step 3: work out the safety checks (blocking, warning, safe) and keep them on the run',
        tags: ['wizard'],
        params: RunIdParams,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const principal = await mayRequest(req, req.params.id);
      await runChecks(wizard(), principal, req.params.id, String(req.id));
      return loadRunDoc(deps, req.params.id);
    },
  );

  app.get(
    '/api/v1/runs/:id/checks',
    {
      schema: {
        summary: "The run's safety checks as last worked out",
        tags: ['wizard'],
        params: RunIdParams,
        response: { 200: RunChecksDoc, ...errors },
      },
    },
    async (req) => {
      const run = await loadRun(deps.db, req.params.id);
      await authorize(deps, req, 'restore.view', {
        database: run.database,
        ownerTeam: run.owner_team,
        requestedBy: run.requested_by,
      });
      return { checks: runDoc(run).checks };
    },
  );

  app.post(
    '/api/v1/runs/:id/preview',
    {
      schema: {
        summary:
          'Wizard step 4: work out the preview (rows backup vs destination, schema differences, masking plan, estimated duration) and fix the plan approvals are bound to',
        tags: ['wizard'],
        params: RunIdParams,
        response: { 200: RunDoc, ...errors },
      },
    },
    async (req) => {
      const principal = await mayRequest(req, req.params.id);
      await buildPreview(wizard(), principal, req.params.id, String(req.id));
      return loadRunDoc(deps, req.params.id);
    },
  );
}

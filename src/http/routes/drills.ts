// /api/v1/drills: ask for a drill, cancel one, list and show drills, and fetch a drill's evidence pack.
import { buffer } from 'node:stream/consumers';
import { teamScope } from '../../access/policy.js';
import { getDatabase } from '../../catalog/lookup.js';
import {
  DrillDetail,
  DrillEvidence,
  DrillIdParams,
  DrillList,
  DrillListQuery,
  DrillRunRequest,
  DrillShowQuery,
} from '../../contract/drills.js';
import { ErrorResponse } from '../../contract/errors.js';
import { drillDetail, drillDoc } from '../../drills/docs.js';
import { drillSettled, TERMINAL_DRILL_STATUSES } from '../../drills/lifecycle.js';
import { cancelDrill } from '../../drills/control.js';
import { DRILL_QUEUE, requestDrill } from '../../drills/request.js';
import { LifeboatError } from '../../errors.js';
import { openCatalogStorage } from '../../storage/index.js';
import type { App } from '../app.js';
import { authorize, principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export function drillRoutes(app: App, deps: HttpDeps): void {
  const resourceOf = (database: string) => {
    const d = getDatabase(deps.catalog, database);
    return { database: d.name, ownerTeam: d.owner };
  };
  const loadDrill = async (id: number) => {
    const row = await deps.db.selectFrom('drills').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row)
      throw new LifeboatError('not_found', `no drill ${id}`, { hint: 'list drills with `lifeboat drill list`' });
    return row;
  };
  const authorizeView = (req: Parameters<typeof authorize>[1], row: { database: string; owner_team: string }) =>
    authorize(deps, req, 'drill.view', { database: row.database, ownerTeam: row.owner_team });

  app.post(
    '/api/v1/drills',
    {
      schema: {
        summary: 'Drill a backup: restore it into a scratch database on a non-production server, check it, drop it',
        tags: ['drills'],
        body: DrillRunRequest,
        response: { 202: DrillDetail, ...errors },
      },
    },
    async (req, reply) => {
      const { principal } = await authorize(deps, req, 'drill.run', resourceOf(req.body.database));
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      const { id } = await requestDrill(deps.db, deps.queue, deps.catalog, {
        database: req.body.database,
        ...(req.body.backupId ? { backupId: req.body.backupId } : {}),
        ...(req.body.target ? { target: req.body.target } : {}),
        actor: principal.user,
        trigger: 'manual',
        requestId: String(req.id),
      });
      deps.wake?.(DRILL_QUEUE);
      return reply.status(202).send(drillDetail(await loadDrill(id), false));
    },
  );

  app.post(
    '/api/v1/drills/:id/cancel',
    {
      schema: {
        summary: 'Cancel a queued or running drill; a running one stops and its scratch database is dropped',
        tags: ['drills'],
        params: DrillIdParams,
        response: { 200: DrillDetail, ...errors },
      },
    },
    async (req) => {
      const row = await loadDrill(req.params.id);
      const p = principalOf(req);
      // whoever asked for the drill may cancel it; others need drill.run on the database
      if (p.user !== row.requested_by) {
        await authorize(deps, req, 'drill.run', { database: row.database, ownerTeam: row.owner_team });
      }
      await cancelDrill(deps.db, Number(row.id), p.user, String(req.id));
      return drillDetail(await loadDrill(Number(row.id)), false);
    },
  );

  app.get(
    '/api/v1/drills',
    {
      schema: {
        summary: 'Drills, newest first',
        tags: ['drills'],
        querystring: DrillListQuery,
        response: { 200: DrillList, ...errors },
      },
    },
    async (req) => {
      if (req.query.database) await authorize(deps, req, 'drill.view', resourceOf(req.query.database));
      const scope = teamScope(principalOf(req), 'drill.view', deps.catalog.policy);
      let q = deps.db.selectFrom('drills').selectAll().orderBy('id', 'desc').limit(req.query.limit);
      if (!scope.all) {
        if (scope.teams.length === 0) return { drills: [] };
        q = q.where('owner_team', 'in', scope.teams);
      }
      if (req.query.database) q = q.where('database', '=', getDatabase(deps.catalog, req.query.database).name);
      return { drills: (await q.execute()).map(drillDoc) };
    },
  );

  app.get(
    '/api/v1/drills/:id',
    {
      schema: {
        summary: 'One drill: timings, each check with its query, value and verdict (and the log with ?log=true)',
        tags: ['drills'],
        params: DrillIdParams,
        querystring: DrillShowQuery,
        response: { 200: DrillDetail, ...errors },
      },
    },
    async (req) => {
      let row = await loadDrill(req.params.id);
      await authorizeView(req, row);
      // ?wait=N answers as soon as the drill has its verdict and evidence (the CLI's --wait)
      const until = Date.now() + (req.query.wait ?? 0) * 1000;
      // (the evidence is written just after the verdict; a pack pruned after 13 months is not waited for)
      const done = (r: typeof row) =>
        drillSettled({ status: r.status, hasEvidence: r.evidence !== null, errorStep: r.error_step }) ||
        (TERMINAL_DRILL_STATUSES.has(r.status) && Date.now() - new Date(r.finished_at!).getTime() > 60_000);
      while (!done(row) && Date.now() < until && !req.raw.socket.destroyed) {
        await new Promise((r) => setTimeout(r, 200));
        row = await loadDrill(req.params.id);
      }
      return drillDetail(row, req.query.log);
    },
  );

  app.get(
    '/api/v1/drills/:id/evidence',
    {
      schema: {
        summary: "A drill's evidence pack as stored, and the hashes and audit event the catalog recorded of it",
        tags: ['drills'],
        params: DrillIdParams,
        response: { 200: DrillEvidence, ...errors },
      },
    },
    async (req) => {
      const row = await loadDrill(req.params.id);
      await authorizeView(req, row);
      const evidence = drillDoc(row).evidence;
      const config = evidence?.storage ? deps.catalog.storage[evidence.storage] : undefined;
      if (!evidence || !config) {
        throw new LifeboatError('not_found', `drill ${row.id} has no evidence pack`, {
          hint: row.status === 'queued' || row.status === 'running' ? 'wait until the drill has finished' : undefined,
        });
      }
      const storage = openCatalogStorage(config);
      try {
        const files: Record<string, string> = {};
        for (const key of await storage.list(evidence.prefix)) {
          files[key.slice(evidence.prefix.length)] = (await buffer(await storage.read(key))).toString('base64');
        }
        const event = await deps.db
          .selectFrom('audit_events')
          .select('hash')
          .where('seq', '=', evidence.audit.seq)
          .executeTakeFirst();
        return {
          drill: Number(row.id),
          prefix: evidence.prefix,
          files,
          recorded: { files: evidence.files, audit: evidence.audit, auditHashInTrail: event?.hash ?? null },
        };
      } finally {
        await storage.close?.();
      }
    },
  );
}

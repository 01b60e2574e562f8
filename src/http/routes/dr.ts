// /api/v1/incidents: declare a disaster, plan and execute its recovery, read its report; and
// /api/v1/alerts/alertmanager, Alertmanager's webhook receiver (authenticated by dr.alertmanager_token,
// not by a user's token: Alertmanager is nobody's session).
import { timingSafeEqual, createHash } from 'node:crypto';
import { teamScope } from '../../access/policy.js';
import { getDatabase } from '../../catalog/lookup.js';
import {
  AlertmanagerPayload,
  AlertsReceived,
  DeclareRequest,
  IncidentDetail,
  IncidentIdParams,
  IncidentList,
  IncidentShowQuery,
  PlanDoc,
  ReportResponse,
} from '../../contract/dr.js';
import { ErrorResponse } from '../../contract/errors.js';
import { receiveAlerts } from '../../dr/alertmanager.js';
import { declareIncident } from '../../dr/declare.js';
import { incidentDoc } from '../../dr/docs.js';
import { DR_QUEUE, requestExecution } from '../../dr/execute.js';
import { planIncident } from '../../dr/plan.js';
import { buildReport, reportMarkdown, timelineDocs } from '../../dr/report.js';
import { LifeboatError } from '../../errors.js';
import type { Logger } from '../../lib/logger.js';
import type { App } from '../app.js';
import { authorize, principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** Constant-time comparison of a bearer token against the configured one. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function drRoutes(app: App, deps: HttpDeps): void {
  const load = async (id: number) => {
    const row = await deps.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row)
      throw new LifeboatError('not_found', `no incident ${id}`, { hint: 'list incidents with `lifeboat dr list`' });
    return row;
  };
  const resource = (row: { database: string; owner_team: string }) => ({
    database: row.database,
    ownerTeam: row.owner_team,
  });
  const timeline = async (id: number) =>
    timelineDocs(
      await deps.db.selectFrom('incident_timeline').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
    );

  app.post(
    '/api/v1/incidents',
    {
      schema: {
        summary: 'Declare a database lost: opens an incident and starts the RTO clock',
        tags: ['dr'],
        body: DeclareRequest,
        response: { 201: IncidentDetail, ...errors },
      },
    },
    async (req, reply) => {
      const database = getDatabase(deps.catalog, req.body.database);
      const { principal } = await authorize(deps, req, 'dr.declare', {
        database: database.name,
        ownerTeam: database.owner,
      });
      const { id } = await declareIncident(deps.db, deps.catalog, {
        database: database.name,
        ...(req.body.reason ? { reason: req.body.reason } : {}),
        actor: principal.user,
        requestId: String(req.id),
      });
      return reply.status(201).send({ ...incidentDoc(await load(id)), timeline: await timeline(id) });
    },
  );

  app.get(
    '/api/v1/incidents',
    {
      schema: { summary: 'Incidents, newest first', tags: ['dr'], response: { 200: IncidentList, ...errors } },
    },
    async (req) => {
      const scope = teamScope(principalOf(req), 'dr.view', deps.catalog.policy);
      let q = deps.db.selectFrom('incidents').selectAll().orderBy('id', 'desc').limit(200);
      if (!scope.all) {
        if (scope.teams.length === 0) return { incidents: [] };
        q = q.where('owner_team', 'in', scope.teams);
      }
      return { incidents: (await q.execute()).map(incidentDoc) };
    },
  );

  app.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        summary: 'One incident with its plan and timeline (?wait=N: until a running execution settles)',
        tags: ['dr'],
        params: IncidentIdParams,
        querystring: IncidentShowQuery,
        response: { 200: IncidentDetail, ...errors },
      },
    },
    async (req) => {
      let row = await load(req.params.id);
      await authorize(deps, req, 'dr.view', resource(row));
      const until = Date.now() + (req.query.wait ?? 0) * 1000;
      // settled: recovered or failed, with its report stored (or given up on after a minute)
      const settled = (r: typeof row) =>
        (r.status === 'recovered' || r.status === 'failed') &&
        (r.evidence !== null || Date.now() - new Date(r.heartbeat_at ?? 0).getTime() > 60_000);
      while (!settled(row) && Date.now() < until && !req.raw.socket.destroyed) {
        await new Promise((r) => setTimeout(r, 200));
        row = await load(req.params.id);
      }
      return { ...incidentDoc(row), timeline: await timeline(req.params.id) };
    },
  );

  app.post(
    '/api/v1/incidents/:id/plan',
    {
      schema: {
        summary:
          'Plan the recovery: verify the newest recovery points until one verifies, choose the newest valid one inside the RPO (or record the miss)',
        tags: ['dr'],
        params: IncidentIdParams,
        response: { 200: PlanDoc, ...errors },
      },
    },
    async (req) => {
      const row = await load(req.params.id);
      const { principal } = await authorize(deps, req, 'dr.declare', resource(row));
      return planIncident({ db: deps.db, catalog: deps.catalog }, req.params.id, principal.user, String(req.id));
    },
  );

  app.post(
    '/api/v1/incidents/:id/execute',
    {
      schema: {
        summary: 'Execute the plan on a worker: restore, validate, cut over, wait for health and smoke green',
        tags: ['dr'],
        params: IncidentIdParams,
        response: { 202: IncidentDetail, ...errors },
      },
    },
    async (req, reply) => {
      const row = await load(req.params.id);
      const { principal } = await authorize(deps, req, 'dr.execute', resource(row));
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      await requestExecution(deps.db, deps.queue, req.params.id, principal.user, String(req.id));
      deps.wake?.(DR_QUEUE);
      return reply
        .status(202)
        .send({ ...incidentDoc(await load(req.params.id)), timeline: await timeline(req.params.id) });
    },
  );

  app.get(
    '/api/v1/incidents/:id/report',
    {
      schema: {
        summary: 'The report: timeline, RPO and RTO achieved, misses, skipped recovery points (JSON and Markdown)',
        tags: ['dr'],
        params: IncidentIdParams,
        response: { 200: ReportResponse, ...errors },
      },
    },
    async (req) => {
      const row = await load(req.params.id);
      await authorize(deps, req, 'dr.view', resource(row));
      const report = buildReport(row, await timeline(req.params.id), deps.catalog.databases[row.database], new Date());
      return { report, markdown: reportMarkdown(report), evidence: incidentDoc(row).evidence };
    },
  );

  app.post(
    '/api/v1/alerts/alertmanager',
    {
      config: { public: true },
      // the token is checked before the body is even parsed: nobody without it learns the schema
      onRequest: async (req) => {
        const expected = deps.catalog.dr.alertmanagerToken;
        const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        if (!expected)
          throw new LifeboatError(
            'unauthenticated',
            'this Lifeboat takes no alerts: dr.alertmanager_token is not set',
            {
              hint: "set dr.alertmanager_token in lifeboat.yaml and the same value as the receiver's http_config.authorization.credentials",
            },
          );
        if (!given || !sameToken(given, expected.reveal()))
          throw new LifeboatError(
            'unauthenticated',
            'the alert webhook needs the bearer token of dr.alertmanager_token',
            {
              hint: "set the receiver's http_config.authorization.credentials in alertmanager.yml to that token",
            },
          );
      },
      schema: {
        summary:
          "Alertmanager's webhook receiver (payload version 4): a firing alert that dr.triggers maps to a database opens an incident once per fingerprint; resolved annotates it",
        tags: ['dr'],
        // no Lifeboat token: Alertmanager sends dr.alertmanager_token as its bearer (checked above)
        security: [],
        body: AlertmanagerPayload,
        response: { 200: AlertsReceived, ...errors },
      },
    },
    async (req) => {
      return receiveAlerts({ db: deps.db, catalog: deps.catalog, logger: req.log as unknown as Logger }, req.body);
    },
  );
}

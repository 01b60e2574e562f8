// GET /api/v1/whoami and GET /api/v1/audit.
import { ACTIONS } from '../../access/actions.js';
import { teamScope } from '../../access/policy.js';
import { auditPage } from '../../audit/read.js';
import { AuditPage, AuditQuery, WhoAmIResponse } from '../../contract/identity.js';
import { ErrorResponse } from '../../contract/errors.js';
import type { App } from '../app.js';
import { authorize, principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const errors = { 401: ErrorResponse, 403: ErrorResponse };

export function identityRoutes(app: App, deps: HttpDeps): void {
  app.get(
    '/api/v1/whoami',
    {
      schema: {
        summary: 'The authenticated user, roles and teams',
        tags: ['identity'],
        response: { 200: WhoAmIResponse, ...errors },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return {
        user: p.user,
        email: deps.catalog.users[p.user]?.email ?? '',
        roles: [...p.roles],
        teams: [...p.teams],
        approverOf: [...p.approverOf],
        via: p.via,
        // what to offer (the web UI hides what would be refused); every route still decides itself
        may: ACTIONS.filter((a) => {
          const scope = teamScope(p, a, deps.catalog.policy);
          return scope.all || scope.teams.length > 0;
        }),
      };
    },
  );

  app.get(
    '/api/v1/audit',
    {
      schema: {
        summary: 'Page through the audit trail, oldest first',
        tags: ['audit'],
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errors },
      },
    },
    async (req) => {
      await authorize(deps, req, 'audit.read');
      const q = req.query;
      const page = await auditPage(deps.db, {
        after: q.after,
        limit: q.limit,
        since: q.since ? new Date(q.since) : undefined,
        subjectType: q.subjectType,
        subjectId: q.subjectId,
        actor: q.actor,
      });
      return { events: page.events.map((e) => ({ ...e, at: e.at.toISOString() })), next: page.next };
    },
  );
}

// GET /api/v1/status: one row per database the caller may see (the backups they may view), with
// its recovery status and open SLO breaches (src/slo/status.ts).
import { teamScope } from '../../access/policy.js';
import { ErrorResponse } from '../../contract/errors.js';
import { StatusResponse } from '../../contract/status.js';
import { readStatus } from '../../slo/status.js';
import type { App } from '../app.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

export function statusRoutes(app: App, deps: HttpDeps): void {
  app.get(
    '/api/v1/status',
    {
      schema: {
        summary:
          'Recovery status per database: newest verified backup and its age, RPO target and achieved, last drill, measured restore time against the RTO, open SLO breaches',
        tags: ['status'],
        response: { 200: StatusResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req) => {
      const now = new Date();
      const scope = teamScope(principalOf(req), 'backup.view', deps.catalog.policy);
      const visible = Object.values(deps.catalog.databases).filter((d) => scope.all || scope.teams.includes(d.owner));
      return { at: now.toISOString(), databases: await readStatus(deps.db, visible, now) };
    },
  );
}

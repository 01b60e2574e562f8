// GET /api/v1/catalog/databases: the databases of lifeboat.yaml a user may see (catalog.view, by
// owning team), with their allowed destinations: what the web UI's wizard offers to choose from.
import { teamScope } from '../../access/policy.js';
import { CatalogDatabases } from '../../contract/catalog.js';
import { ErrorResponse } from '../../contract/errors.js';
import type { App } from '../app.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

export function catalogRoutes(app: App, deps: HttpDeps): void {
  app.get(
    '/api/v1/catalog/databases',
    {
      schema: {
        summary: 'The databases you may see, their allowed destinations (with tiers) and RPO',
        tags: ['catalog'],
        response: { 200: CatalogDatabases, 401: ErrorResponse },
      },
    },
    async (req) => {
      const catalog = deps.catalog;
      const scope = teamScope(principalOf(req), 'catalog.view', catalog.policy);
      const visible = Object.values(catalog.databases).filter((d) => scope.all || scope.teams.includes(d.owner));
      const tierOf = (server: string) => catalog.servers[server]?.tier ?? 'unknown';
      return {
        databases: visible
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((d) => ({
            name: d.name,
            server: d.server,
            tier: tierOf(d.server),
            owner: d.owner,
            approvals: d.approvals,
            rpoSeconds: d.rpo ? Math.round(d.rpo.ms / 1000) : null,
            rtoSeconds: d.rto ? Math.round(d.rto.ms / 1000) : null,
            destinations: d.destinations.map((server) => ({ server, tier: tierOf(server) })),
            maskingRules: d.masking.rules.length,
          })),
      };
    },
  );
}

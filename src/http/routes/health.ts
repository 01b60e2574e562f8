// GET /api/health: is the store reachable and migrated, is the queue installed. No token needed,
// so load balancers can call it; it reveals nothing but the instance id.
import { sql } from 'kysely';
import { ErrorResponse } from '../../contract/errors.js';
import { HealthResponse } from '../../contract/health.js';
import { messageOf } from '../../errors.js';
import { redact } from '../../lib/secret.js';
import { VERSION } from '../../version.js';
import type { App } from '../app.js';
import type { HttpDeps } from '../deps.js';

export function healthRoutes(app: App, deps: HttpDeps): void {
  app.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        summary: 'Health of the API, the control-plane store and the job queue',
        tags: ['system'],
        security: [],
        response: { 200: HealthResponse, 503: HealthResponse, 500: ErrorResponse },
      },
    },
    async (_req, reply) => {
      const store: HealthResponse['store'] = { ok: false };
      try {
        const row = await deps.db.selectFrom('lifeboat_instance').select(['id', 'created_at']).executeTakeFirst();
        store.ok = row !== undefined;
        if (row) {
          store.instanceId = row.id;
          store.createdAt = row.created_at.toISOString();
        } else store.error = 'the store is not migrated';
      } catch (err) {
        store.error = redact(messageOf(err));
      }
      const queue: HealthResponse['queue'] = { ok: false };
      if (deps.queue) {
        try {
          await sql`select 1 from pgboss.version`.execute(deps.db);
          queue.ok = true;
        } catch (err) {
          queue.error = redact(messageOf(err));
        }
      } else queue.error = 'the queue is not started in this process';
      const ok = store.ok && queue.ok;
      const body: HealthResponse = {
        status: ok ? 'ok' : 'degraded',
        version: VERSION,
        uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
        store,
        queue,
      };
      return reply.status(ok ? 200 : 503).send(body);
    },
  );
}

// GET /metrics: the Prometheus text exposition of this API server's registry (src/metrics/),
// outside /api/v1 and left out of the OpenAPI document. With `server.metrics_token` it answers
// only `Authorization: Bearer <that token>` (a token of its own, not an API token: a Prometheus
// holds no user's identity); without it, anyone who reaches the server may read it. Every
// answered request is timed into lifeboat_http_request_duration_seconds by its route pattern.
import { createHash, timingSafeEqual } from 'node:crypto';
import { LifeboatError } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { createMetrics } from '../metrics/registry.js';
import type { App } from './app.js';
import type { HttpDeps } from './deps.js';

export function installMetrics(app: App, deps: HttpDeps & { logger: Logger }): void {
  const metrics = createMetrics(deps);

  app.addHook('onResponse', async (req, reply) => {
    // the pattern (/api/v1/runs/:id), never the URL; what no route matched is one label value
    metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const token = deps.catalog.metricsToken;
    if (token) {
      const sent = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (sent === undefined || !sameSecret(sent, token.reveal())) {
        throw new LifeboatError(
          'unauthenticated',
          sent === undefined
            ? '/metrics needs the metrics bearer token'
            : 'the metrics token is not the one configured',
          {
            hint: "send `Authorization: Bearer <server.metrics_token>` (in Prometheus: the scrape job's `authorization: {credentials: ...}`); API tokens are not accepted here",
          },
        );
      }
    }
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

/** Compares in constant time (hashes first, so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

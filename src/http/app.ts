// The HTTP API (Fastify): zod schemas validate every request and generate the OpenAPI document;
// every error leaves as the one error document. Routes live one concept per file in ./routes.

import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from '../lib/logger.js';
import { VERSION } from '../version.js';
import type { HttpDeps } from './deps.js';
import { frameworkErrors, installErrorHandling } from './errors.js';
import { installAuth } from './auth.js';
import { installMetrics } from './metrics.js';
import { auditRoutes } from './routes/audit.js';
import { backupRoutes } from './routes/backups.js';
import { catalogRoutes } from './routes/catalog.js';
import { drillRoutes } from './routes/drills.js';
import { physicalRoutes } from './routes/physical.js';
import { drRoutes } from './routes/dr.js';
import { configRoutes } from './routes/config.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identity.js';
import { maskingRoutes } from './routes/masking.js';
import { notificationRoutes } from './routes/notifications.js';
import { runRoutes } from './routes/runs.js';
import { sessionRoutes } from './routes/session.js';
import { schemaRoutes } from './routes/schema.js';
import { statusRoutes } from './routes/status.js';
import { wizardRoutes } from './routes/wizard.js';
import { approvalRoutes } from './routes/approvals.js';
import { defaultUiDir, webUi } from './web-ui.js';

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Route modules, each `(app, deps) => void`. Later capabilities add theirs here. */
const ROUTES = [
  healthRoutes,
  identityRoutes,
  auditRoutes,
  configRoutes,
  backupRoutes,
  drillRoutes,
  physicalRoutes,
  drRoutes,
  runRoutes,
  wizardRoutes,
  approvalRoutes,
  maskingRoutes,
  catalogRoutes,
  sessionRoutes,
  notificationRoutes,
  schemaRoutes,
  statusRoutes,
];

/** `uiDir`: the built web UI (default: dist/ui, when it was built). */
export async function buildApp(deps: HttpDeps & { logger: Logger; uiDir?: string }): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: 10 * 1024 * 1024,
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const ui = webUi(deps.uiDir ?? defaultUiDir());
  installErrorHandling(app, () => deps.config?.staleNote(), ui.fallback);
  installAuth(app, deps);
  installMetrics(app, deps);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lifeboat API',
        version: VERSION,
        description:
          'Self-service database restores, backups and disaster recovery. Bearer token auth (`lifeboat token issue`).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  for (const register of ROUTES) register(app, deps);

  // public, like the health check: a client reads the API's shape before it has a token
  app.get(
    '/api/openapi.json',
    { config: { public: true }, schema: { summary: 'This OpenAPI document', tags: ['system'], security: [] } },
    async () => app.swagger(),
  );
  ui.install(app);
  return app;
}

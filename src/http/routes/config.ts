// POST /api/v1/config/reload: read lifeboat.yaml again and put it in force, without a restart.
// The new file is validated first; an invalid one leaves the configuration in force untouched
// and the answer (400 config_invalid) lists every problem with its path and line.
import { recordAuditAlone } from '../../audit/record.js';
import { ConfigError } from '../../catalog/config-error.js';
import type { Catalog } from '../../catalog/types.js';
import { ConfigReloadResponse } from '../../contract/config.js';
import { ErrorResponse } from '../../contract/errors.js';
import { LifeboatError } from '../../errors.js';
import type { App } from '../app.js';
import { authorize } from '../auth.js';
import type { HttpDeps } from '../deps.js';

export function reloadDoc(
  file: string,
  r: { catalog: Catalog; changed: boolean; loadedAt: Date },
): ConfigReloadResponse {
  const n = (o: object) => Object.keys(o).length;
  const c = r.catalog;
  return {
    file,
    changed: r.changed,
    loadedAt: r.loadedAt.toISOString(),
    counts: { teams: n(c.teams), users: n(c.users), servers: n(c.servers), databases: n(c.databases) },
    warnings: [...c.warnings],
  };
}

export function configRoutes(app: App, deps: HttpDeps): void {
  app.post(
    '/api/v1/config/reload',
    {
      schema: {
        summary: 'Load lifeboat.yaml again (validated first; an invalid file keeps the configuration in force)',
        tags: ['config'],
        response: {
          200: ConfigReloadResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (req) => {
      const { principal } = await authorize(deps, req, 'config.reload');
      const config = deps.config;
      if (!config) {
        throw new LifeboatError('conflict', 'this server was not given a lifeboat.yaml to reload', {
          hint: 'restart it to change its configuration',
        });
      }
      const audit = (outcome: 'success' | 'failure', details: Record<string, unknown>) =>
        recordAuditAlone(deps.db, {
          actor: principal.user,
          action: 'config.reload',
          subjectType: 'system',
          subjectId: 'lifeboat.yaml',
          outcome,
          details: { file: config.file, via: principal.via, ...details },
          requestId: String(req.id),
        });
      try {
        const r = await config.reload();
        await audit('success', { changed: r.changed });
        req.log.info({ file: config.file, changed: r.changed, warnings: r.catalog.warnings.length }, 'config reloaded');
        return reloadDoc(config.file, r);
      } catch (err) {
        if (err instanceof ConfigError) await audit('failure', { problems: err.issues.length });
        throw err;
      }
    },
  );
}

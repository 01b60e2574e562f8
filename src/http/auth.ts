// Authentication on every API route (except those marked `config: { public: true }`: the health
// check and the OpenAPI document) and the authorisation guard that route handlers call. A denial is audited and
// answered 403 with the code of the rule that refused.
import type { FastifyRequest } from 'fastify';
import type { Action, Resource } from '../access/actions.js';
import { tokenAuthenticator } from '../access/authenticator.js';
import { decide } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import { recordAuditAlone } from '../audit/record.js';
import { LifeboatError } from '../errors.js';
import type { App } from './app.js';
import type { HttpDeps } from './deps.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Route answers without a token. */
    public?: boolean;
  }
}

export function installAuth(app: App, deps: HttpDeps): void {
  const authenticator = tokenAuthenticator(
    deps.db,
    () => deps.catalog,
    () => deps.config?.staleNote(),
  );
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return; // the web UI's static files
    if (req.routeOptions.config?.public === true) return;
    req.principal = await authenticator.authenticate(req.headers.authorization);
  });
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new LifeboatError('unauthenticated', 'this API needs a bearer token');
  return req.principal;
}

export interface Allowed {
  principal: Principal;
  /** True when a DBA-admin override granted it (audit it as such). */
  override: boolean;
}

/** Throws (and audits the denial) unless the policy allows `action` on `resource`. */
export async function authorize(
  deps: HttpDeps,
  req: FastifyRequest,
  action: Action,
  resource: Resource = {},
): Promise<Allowed> {
  const principal = principalOf(req);
  const d = decide(principal, action, resource, deps.catalog.policy);
  if (d.allowed) return { principal, override: d.override };
  await recordAuditAlone(deps.db, {
    actor: principal.user,
    action,
    subjectType: resource.database ? 'database' : 'system',
    subjectId: resource.database ?? '-',
    outcome: 'denied',
    details: { rule: d.rule, via: principal.via, method: req.method, url: req.url.split('?')[0] },
    requestId: String(req.id),
  });
  throw new LifeboatError(d.rule, `unable to ${action.replace('.', ' ')}: ${d.message}`, { hint: d.hint });
}

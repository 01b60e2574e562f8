// GET /api/v1/audit/verify: `lifeboat audit verify` for auditors, through the API. The trail is
// paged by GET /api/v1/audit (identity.ts).
import { verifyAnchoredTrail } from '../../audit/verify-trail.js';
import { AuditVerifyResponse } from '../../contract/audit.js';
import { ErrorResponse } from '../../contract/errors.js';
import type { App } from '../app.js';
import { authorize } from '../auth.js';
import type { HttpDeps } from '../deps.js';

export function auditRoutes(app: App, deps: HttpDeps): void {
  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        summary:
          'Walk the hash chain and hold it against the newest signed checkpoint in each storage (ok: false names every mismatch)',
        tags: ['audit'],
        response: { 200: AuditVerifyResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req) => {
      await authorize(deps, req, 'audit.read');
      return verifyAnchoredTrail({ db: deps.db, catalog: deps.catalog, trusted: deps.auditKey });
    },
  );
}

// POST /api/v1/session/exchange: a sign-in code (single-use, minutes long) for a session token.
// Public, as the code is the credential; the only call the web UI makes before it is signed in.
import { exchangeSignInCode } from '../../access/sign-in-codes.js';
import { ErrorResponse } from '../../contract/errors.js';
import { SessionExchangeRequest, SessionExchangeResponse } from '../../contract/session.js';
import type { App } from '../app.js';
import type { HttpDeps } from '../deps.js';

export function sessionRoutes(app: App, deps: HttpDeps): void {
  app.post(
    '/api/v1/session/exchange',
    {
      config: { public: true },
      schema: {
        summary: 'Exchange a sign-in code (printed by `lifeboat start`) for a session token',
        tags: ['identity'],
        security: [],
        body: SessionExchangeRequest,
        response: { 200: SessionExchangeResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (req) => {
      const session = await exchangeSignInCode(deps.db, req.body.code, { requestId: String(req.id) });
      return { token: session.token, user: session.user, expiresAt: session.expiresAt?.toISOString() ?? null };
    },
  );
}

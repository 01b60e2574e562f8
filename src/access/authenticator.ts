// Authentication: turns a request's credentials into a Principal. Bearer API tokens today; an
// OIDC authenticator would map a verified ID token's claims to a configured user the same way,
// leaving the policy untouched.
import type { Catalog } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import { type Principal, principalFor } from './principal.js';
import { checkToken } from './tokens.js';

export interface Authenticator {
  /** Resolves the principal, or throws `unauthenticated` with a hint. */
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/**
 * `catalog` is read at each authentication (a reload swaps it); `staleNote` says, when it can,
 * that lifeboat.yaml on disk is not the file in force.
 */
export function tokenAuthenticator(
  db: Db,
  catalog: () => Catalog,
  staleNote: () => string | undefined = () => undefined,
): Authenticator {
  return {
    async authenticate(authorization) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!m) {
        throw new LifeboatError('unauthenticated', 'this API needs a bearer token', {
          hint: 'create one with `lifeboat token issue <user>` and send `Authorization: Bearer <token>` (the CLI reads LIFEBOAT_TOKEN)',
        });
      }
      const check = await checkToken(db, m[1]!);
      if (!check.ok) {
        const why = { unknown: 'is not valid', revoked: 'was revoked', expired: 'has expired' }[check.reason];
        throw new LifeboatError('unauthenticated', `the API token ${why}`, {
          hint: 'issue a new one with `lifeboat token issue <user>`',
        });
      }
      const p = principalFor(catalog(), check.user, `token:${check.prefix}`);
      if (!p) {
        throw new LifeboatError(
          'unauthenticated',
          `the token's user ${check.user} is not in the lifeboat.yaml in force`,
          {
            hint: staleNote() ?? 'add the user to lifeboat.yaml and reload it, or issue a token for a configured user',
          },
        );
      }
      return p;
    },
  };
}

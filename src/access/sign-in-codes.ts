// Sign-in codes: the one-click way into the web UI for the demo's users. `lifeboat start` issues
// one per user and prints it in a link; the UI exchanges it once (POST /api/v1/session/exchange)
// for a session, an ordinary API token that expires. A code is short-lived and single-use, and
// only its SHA-256 is stored, so the store (or a log of it) never holds a usable code.
import { randomBytes } from 'node:crypto';
import { recordAuditAlone } from '../audit/record.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import { hashToken, issueToken, type IssuedToken } from './tokens.js';

export const SIGN_IN_CODE_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 12 * 60 * 60_000;

export async function issueSignInCode(
  db: Db,
  opts: { user: string; actor: string; ttlMs?: number; now?: Date },
): Promise<{ code: string; expiresAt: Date }> {
  const code = `lbc_${randomBytes(18).toString('base64url')}`;
  const now = opts.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (opts.ttlMs ?? SIGN_IN_CODE_TTL_MS));
  await db
    .insertInto('sign_in_codes')
    .values({ user_name: opts.user, code_hash: hashToken(code), created_by: opts.actor, expires_at: expiresAt })
    .execute();
  return { code, expiresAt };
}

/**
 * Uses the code (at most once: the guarded update is the single-use rule) and issues a session
 * token for its user. A code that is unknown, used or expired is refused alike, and audited.
 */
export async function exchangeSignInCode(
  db: Db,
  code: string,
  opts: { requestId?: string; sessionTtlMs?: number; now?: Date } = {},
): Promise<IssuedToken> {
  const now = opts.now ?? new Date();
  const used = await db
    .updateTable('sign_in_codes')
    .set({ used_at: now })
    .where('code_hash', '=', hashToken(code))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'user_name'])
    .executeTakeFirst();
  if (!used) {
    await recordAuditAlone(db, {
      actor: 'anonymous',
      action: 'session.exchange',
      subjectType: 'system',
      subjectId: 'sign-in',
      outcome: 'denied',
      details: { reason: 'unknown, used or expired code' },
      requestId: opts.requestId ?? null,
    });
    throw new LifeboatError('unauthenticated', 'this sign-in code is not valid: it was used already, or has expired', {
      hint: 'restart `lifeboat start` for new sign-in links, or sign in with an API token (`lifeboat token issue <user>`)',
    });
  }
  const session = await issueToken(db, {
    user: used.user_name,
    actor: used.user_name,
    expiresInMs: opts.sessionTtlMs ?? SESSION_TTL_MS,
    description: 'web UI session (sign-in code)',
    now,
  });
  await recordAuditAlone(db, {
    actor: used.user_name,
    action: 'session.exchange',
    subjectType: 'user',
    subjectId: used.user_name,
    details: { codeId: used.id, tokenId: session.id, expiresAt: session.expiresAt?.toISOString() ?? null },
    requestId: opts.requestId ?? null,
  });
  return session;
}

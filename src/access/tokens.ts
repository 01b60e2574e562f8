// API tokens: random bearer secrets shown once at issue; only their SHA-256 is stored, so a
// leaked store does not leak usable tokens. Issue and revoke are audited with the change.
import { createHash, randomBytes } from 'node:crypto';
import { LifeboatError } from '../errors.js';
import { recordAudit } from '../audit/record.js';
import type { Db } from '../store/db.js';

const TOKEN_PREFIX = 'lbt_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface IssuedToken {
  id: string;
  user: string;
  token: string;
  prefix: string;
  expiresAt: Date | null;
}

export async function issueToken(
  db: Db,
  opts: { user: string; actor: string; expiresInMs?: number; description?: string; now?: Date },
): Promise<IssuedToken> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const prefix = token.slice(0, 12);
  const now = opts.now ?? new Date();
  const expiresAt = opts.expiresInMs ? new Date(now.getTime() + opts.expiresInMs) : null;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('api_tokens')
      .values({
        user_name: opts.user,
        token_hash: hashToken(token),
        prefix,
        description: opts.description ?? null,
        created_by: opts.actor,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: opts.actor,
      action: 'token.issue',
      subjectType: 'user',
      subjectId: opts.user,
      details: { tokenId: row.id, prefix, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { id: row.id, user: opts.user, token, prefix, expiresAt };
  });
}

/** Revokes a token by id or by its printed prefix. */
export async function revokeToken(db: Db, opts: { ref: string; actor: string }): Promise<{ id: string; user: string }> {
  return db.transaction().execute(async (trx) => {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(opts.ref);
    const rows = await trx
      .selectFrom('api_tokens')
      .select(['id', 'user_name', 'revoked_at'])
      .where(isUuid ? 'id' : 'prefix', '=', opts.ref)
      .execute();
    if (rows.length === 0) {
      throw new LifeboatError('not_found', `no API token ${opts.ref}`, {
        hint: 'list tokens with `lifeboat token list`',
      });
    }
    if (rows.length > 1) {
      throw new LifeboatError('conflict', `${rows.length} tokens share the prefix ${opts.ref}`, {
        hint: 'revoke by id (`lifeboat token list` shows ids)',
      });
    }
    const t = rows[0]!;
    if (!t.revoked_at) {
      await trx.updateTable('api_tokens').set({ revoked_at: new Date() }).where('id', '=', t.id).execute();
      await recordAudit(trx, {
        actor: opts.actor,
        action: 'token.revoke',
        subjectType: 'user',
        subjectId: t.user_name,
        details: { tokenId: t.id },
      });
    }
    return { id: t.id, user: t.user_name };
  });
}

export async function listTokens(db: Db, user?: string) {
  let q = db
    .selectFrom('api_tokens')
    .select(['id', 'user_name', 'prefix', 'description', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
    .orderBy('created_at', 'desc');
  if (user) q = q.where('user_name', '=', user);
  return q.execute();
}

export type TokenCheck =
  | { ok: true; user: string; tokenId: string; prefix: string }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

export async function checkToken(db: Db, token: string, now = new Date()): Promise<TokenCheck> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'user_name', 'prefix', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at) return { ok: false, reason: 'revoked' };
  if (row.expires_at && row.expires_at.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  // last use is informational: written at most once a minute per token
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { ok: true, user: row.user_name, tokenId: row.id, prefix: row.prefix };
}

// Sign-in codes (src/access/sign-in-codes.ts) through POST /api/v1/session/exchange: a code works
// once and for minutes, is stored hashed, and gives a session token that expires; every exchange
// is audited, refusals too.
import { describe, expect, it } from 'vitest';
import { issueSignInCode } from '../../src/access/sign-in-codes.js';
import { hashToken } from '../../src/access/tokens.js';
import { testApp } from '../harness/app.js';

describe('POST /api/v1/session/exchange', () => {
  it('exchanges a code once for an expiring session token of its user; the store keeps only its hash', async () => {
    const { app, store } = await testApp();
    const { code, expiresAt } = await issueSignInCode(store.db, { user: 'jsmith', actor: 'lifeboat start' });
    expect(code).toMatch(/^lbc_[A-Za-z0-9_-]{24}$/);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    const stored = await store.db.selectFrom('sign_in_codes').select(['code_hash', 'user_name']).execute();
    expect(stored).toEqual([{ code_hash: hashToken(code), user_name: 'jsmith' }]);

    const res = await app.inject({ method: 'POST', url: '/api/v1/session/exchange', payload: { code } });
    expect(res.statusCode).toBe(200);
    const session = res.json() as { token: string; user: string; expiresAt: string };
    expect(session.user).toBe('jsmith');
    expect(new Date(session.expiresAt).getTime() - Date.now()).toBeGreaterThan(11 * 3600_000);
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/whoami',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(me.json().user).toBe('jsmith');

    const again = await app.inject({ method: 'POST', url: '/api/v1/session/exchange', payload: { code } });
    expect(again.statusCode).toBe(401);
    expect(again.json().error).toMatchObject({
      code: 'unauthenticated',
      message: 'this sign-in code is not valid: it was used already, or has expired',
    });
    const audit = await store.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'outcome'])
      .where('action', 'in', ['session.exchange', 'token.issue'])
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      { actor: 'jsmith', action: 'token.issue', outcome: 'success' },
      { actor: 'jsmith', action: 'session.exchange', outcome: 'success' },
      { actor: 'anonymous', action: 'session.exchange', outcome: 'denied' },
    ]);
  });

  it('refuses an expired code and an unknown one alike', async () => {
    const { app, store } = await testApp();
    const { code } = await issueSignInCode(store.db, {
      user: 'alice',
      actor: 'test',
      now: new Date(Date.now() - 11 * 60_000),
    });
    for (const c of [code, 'lbc_never-issued']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/session/exchange', payload: { code: c } });
      expect([res.statusCode, res.json().error.code]).toEqual([401, 'unauthenticated']);
    }
  });
});

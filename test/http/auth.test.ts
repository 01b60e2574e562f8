// No API route answers without a valid token; revoked and expired tokens are refused; a denial
// is a 403 naming the rule, and is itself audited.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueToken, revokeToken } from '../../src/access/tokens.js';
import { catalogFrom, MINIMAL_CONFIG, testApp } from '../harness/app.js';
import { harnessRoot } from '../harness/cluster.js';
import { lifeboat } from '../harness/cli.js';
import { startTestLifeboat } from '../harness/lifeboat.js';

const CONFIG = `${MINIMAL_CONFIG}  audrey: { email: audrey@example.com, roles: [auditor] }\n`;

async function setup() {
  const { app, store } = await testApp({ catalog: catalogFrom(CONFIG) });
  const token = async (user: string, expiresInMs?: number, now?: Date) =>
    (await issueToken(store.db, { user, actor: 'test', expiresInMs, now })).token;
  return { app, store, token };
}

describe('API authentication', () => {
  it('serves /api/health and /api/openapi.json without a token', async () => {
    const lb = await startTestLifeboat(CONFIG, {}, { worker: false });
    const health = await lb.app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', store: { ok: true }, queue: { ok: true } });
    const openapi = await lb.app.inject({ url: '/api/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    const doc = openapi.json();
    expect(doc.openapi).toBe('3.1.0');
    // the document says which routes need no token
    expect(doc.paths['/api/health'].get.security).toEqual([]);
    expect(doc.paths['/api/openapi.json'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/whoami'].get.security).toBeUndefined();
    expect(doc.security).toEqual([{ bearer: [] }]);
    // approving and rejecting are documented with their bodies, and the approver's inbox with its flag
    const approve = doc.paths['/api/v1/runs/{id}/approve'].post;
    expect(Object.keys(approve.requestBody.content['application/json'].schema.properties)).toEqual([
      'comment',
      'planHash',
    ]);
    const reject = doc.paths['/api/v1/runs/{id}/reject'].post;
    expect(reject.requestBody.content['application/json'].schema.required).toEqual(['comment']);
    expect(Object.keys(approve.responses)).toEqual(['200', '400', '401', '403', '404', '409']);
    expect(doc.paths['/api/v1/runs'].get.parameters.map((p: { name: string }) => p.name)).toContain('awaitingMe');
  });

  it('refuses every other route of the OpenAPI document without a token', async () => {
    const { app } = await setup();
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    const routes = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(
      ([path, ops]) =>
        Object.entries(ops)
          // the routes that say they need no token (health, this document, the sign-in code exchange)
          .filter(([, op]) => op.security?.length !== 0)
          .map(([m]) => ({ method: m.toUpperCase(), url: path.replace(/\{[^}]+\}/g, 'x') })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(4);
    for (const r of routes) {
      const res = await app.inject({ method: r.method as 'GET', url: r.url });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
      expect(res.json().error.hint).toMatch(/lifeboat token issue/);
      const bad = await app.inject({
        method: r.method as 'GET',
        url: r.url,
        headers: { authorization: 'Bearer lbt_nope' },
      });
      expect(bad.statusCode, `${r.method} ${r.url} with a bad token`).toBe(401);
    }
  });

  it('answers whoami with the user, roles and teams', async () => {
    const { app, token } = await setup();
    const t = await token('alice');
    const res = await app.inject({ url: '/api/v1/whoami', headers: { authorization: `Bearer ${t}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user: 'alice',
      email: 'alice@example.com',
      roles: ['db-owner'],
      teams: ['team-alpha'],
      approverOf: ['team-alpha'],
      via: `token:${t.slice(0, 12)}`,
      // what the web UI offers her: no audit, no config reload; her team's incidents, to read only
      may: [
        'catalog.view',
        'restore.view',
        'restore.request',
        'restore.approve',
        'restore.cancel',
        'restore.undo',
        'backup.view',
        'backup.run',
        'backup.verify',
        'drill.view',
        'drill.run',
        'dr.view',
        'schema.view',
        'schema.snapshot',
        'schema.accept',
        'masking.scan',
      ],
    });
    const jsmith = await app.inject({
      url: '/api/v1/whoami',
      headers: { authorization: `Bearer ${await token('jsmith')}` },
    });
    expect(jsmith.json().may).not.toContain('backup.run');
    expect(jsmith.json().may).not.toContain('audit.read');
    expect(jsmith.json().may).toContain('restore.request');
  });

  it('refuses a revoked token', async () => {
    const { app, store } = await setup();
    const t = await issueToken(store.db, { user: 'jsmith', actor: 'test' });
    await revokeToken(store.db, { ref: t.prefix, actor: 'test' });
    const res = await app.inject({ url: '/api/v1/whoami', headers: { authorization: `Bearer ${t.token}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('the API token was revoked');
  });

  it('refuses an expired token', async () => {
    const { app, token } = await setup();
    const t = await token('jsmith', 60_000, new Date(Date.now() - 120_000));
    const res = await app.inject({ url: '/api/v1/whoami', headers: { authorization: `Bearer ${t}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('the API token has expired');
  });

  it('denies with the rule as code, and audits the denial', async () => {
    const { app, store, token } = await setup();
    const t = await token('jsmith');
    const res = await app.inject({ url: '/api/v1/audit', headers: { authorization: `Bearer ${t}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({
      code: 'role_not_allowed',
      message: "unable to audit read: jsmith's roles (developer) do not allow audit.read",
      hint: 'ask an admin for a role that allows it',
    });
    const denied = await store.db.selectFrom('audit_events').selectAll().where('outcome', '=', 'denied').execute();
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ actor: 'jsmith', action: 'audit.read', subject_type: 'system' });
    expect(denied[0]!.details).toMatchObject({ rule: 'role_not_allowed', url: '/api/v1/audit' });
  });

  it('lets an auditor page through the trail', async () => {
    const { app, token } = await setup();
    const t = await token('audrey');
    await token('alice');
    const res = await app.inject({ url: '/api/v1/audit?limit=1', headers: { authorization: `Bearer ${t}` } });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.events).toHaveLength(1);
    expect(page.events[0]).toMatchObject({ seq: 1, action: 'token.issue', subjectId: 'audrey', actor: 'test' });
    expect(page.next).toBe(1);
    const next = await app.inject({
      url: `/api/v1/audit?after=${page.next}`,
      headers: { authorization: `Bearer ${t}` },
    });
    expect(next.json().events.map((e: { subjectId: string }) => e.subjectId)).toEqual(['alice']);
    expect(next.json().next).toBeNull();
  });
});

describe('lifeboat token', () => {
  it('issues a token for a configured user that the API accepts, and revokes it', async () => {
    const { app, store } = await setup();
    const dir = mkdtempSync(join(harnessRoot(), 'cfg-'));
    const config = join(dir, 'lifeboat.yaml');
    writeFileSync(config, CONFIG);
    const env = { LIFEBOAT_DATABASE_URL: store.url.reveal() };
    const issued = await lifeboat(['--config', config, 'token', 'issue', 'alice', '--expires', '1d', '--json'], {
      env,
    });
    expect(issued.code).toBe(0);
    const doc = JSON.parse(issued.stdout);
    expect(doc.token).toMatch(/^lbt_[A-Za-z0-9_-]{43}$/);
    expect(doc.user).toBe('alice');
    const ok = await app.inject({ url: '/api/v1/whoami', headers: { authorization: `Bearer ${doc.token}` } });
    expect(ok.json().user).toBe('alice');
    const row = await store.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(doc.token.slice(4));
    const revoked = await lifeboat(['token', 'revoke', doc.prefix], { env });
    expect(revoked.code).toBe(0);
    const refused = await app.inject({ url: '/api/v1/whoami', headers: { authorization: `Bearer ${doc.token}` } });
    expect(refused.statusCode).toBe(401);
  });

  it('a CLI that cannot reach the server says so, with a hint, and no stack trace', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const url = `http://127.0.0.1:${port}`;
    const r = await lifeboat(['backup', 'list'], { env: { LIFEBOAT_URL: url, LIFEBOAT_TOKEN: 'lbt_x' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `lifeboat: unable to reach Lifeboat at ${url}: connect ECONNREFUSED 127.0.0.1:${port}\n` +
        'HINT: start it with `lifeboat start`, or point --url / LIFEBOAT_URL at a running server\n',
    );
  });

  it('refuses an unknown user with exit 4 and the list of users', async () => {
    const { store } = await setup();
    const dir = mkdtempSync(join(harnessRoot(), 'cfg-'));
    writeFileSync(join(dir, 'lifeboat.yaml'), CONFIG);
    const r = await lifeboat(['--config', join(dir, 'lifeboat.yaml'), 'token', 'issue', 'mallory'], {
      env: { LIFEBOAT_DATABASE_URL: store.url.reveal() },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      `lifeboat: no user mallory in ${join(dir, 'lifeboat.yaml')}\nHINT: configured users: jsmith, alice, bob, audrey\n`,
    );
  });
});

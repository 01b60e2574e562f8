// Auditors verify the audit trail through the API (GET /api/v1/audit/verify, and
// `lifeboat audit verify` with LIFEBOAT_TOKEN): the same result as direct store access,
// authorised by the policy's `audit.read` (auditors and DBA admins; a developer gets 403).
import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointWriter } from '../../src/audit/anchor.js';
import { loadSigner } from '../../src/audit/signing-key.js';
import { recordAuditAlone } from '../../src/audit/record.js';
import { buildApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { issueToken } from '../../src/access/tokens.js';
import { catalogFrom, MINIMAL_CONFIG } from '../harness/app.js';
import { lifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { freshStore } from '../harness/store.js';

async function setup() {
  const dir = mkdtempSync(join(harnessRoot(), 'audit-api-'));
  chmodSync(dir, 0o755);
  const catalog = catalogFrom(
    `${MINIMAL_CONFIG}  carol: { email: carol@example.com, roles: [auditor] }\n  dana: { email: dana@example.com, roles: [dba-admin] }\nstorage:\n  main: { type: filesystem, path: ${join(dir, 'backups')} }\n`,
  );
  const signer = loadSigner(catalog.audit, join(dir, '.lifeboat'), { create: true })!;
  const store = await freshStore();
  for (const subjectId of ['run-1', 'run-2', 'run-3'])
    await recordAuditAlone(store.db, { actor: 'alice', action: 'restore.request', subjectType: 'run', subjectId });
  const at = new Date('2026-03-01T12:00:00.000Z');
  await checkpointWriter({ db: store.db, catalog, signer, logger: silentLogger(), now: () => at }).write('timer');
  const app = await buildApp({
    db: store.db,
    queue: undefined,
    catalog,
    startedAt: new Date(),
    publicUrl: 'http://127.0.0.1',
    logger: silentLogger(),
    auditKey: signer,
  });
  const token = async (user: string) => (await issueToken(store.db, { user, actor: 'test' })).token;
  return { app, store, signer, token };
}

describe('GET /api/v1/audit/verify', () => {
  it('answers an auditor and a DBA admin with the anchored verification', async () => {
    const { app, signer, token } = await setup();
    for (const user of ['carol', 'dana']) {
      const res = await app.inject({
        url: '/api/v1/audit/verify',
        headers: { authorization: `Bearer ${await token(user)}` },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        ok: true,
        firstBreak: null,
        anchor: {
          status: 'anchored',
          trustedKey: { fingerprint: signer.fingerprint },
          checkpoint: {
            seq: 3,
            count: 3,
            at: '2026-03-01T12:00:00.000Z',
            storage: 'main',
            key: '_audit/checkpoints/0000000000000003.json',
          },
          problems: [],
          note: null,
        },
      });
      // the events of issuing the tokens follow the checkpoint
      expect(body.checked).toBe(user === 'carol' ? 4 : 5);
    }
  });

  it('refuses a developer: 403 naming the rule, and the denial is audited', async () => {
    const { app, store, token } = await setup();
    const res = await app.inject({
      url: '/api/v1/audit/verify',
      headers: { authorization: `Bearer ${await token('jsmith')}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({
      code: 'role_not_allowed',
      message: "unable to audit read: jsmith's roles (developer) do not allow audit.read",
      hint: 'ask an admin for a role that allows it',
    });
    const denial = await store.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'outcome'])
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(denial).toEqual({ actor: 'jsmith', action: 'audit.read', outcome: 'denied' });
  });

  it('is in the OpenAPI document', async () => {
    const { app, token } = await setup();
    const doc = (
      await app.inject({ url: '/api/openapi.json', headers: { authorization: `Bearer ${await token('carol')}` } })
    ).json();
    expect(Object.keys(doc.paths['/api/v1/audit/verify'])).toEqual(['get']);
  });

  it('is what `lifeboat audit verify` uses with LIFEBOAT_TOKEN: no store needed where it runs', async () => {
    const { app, signer, token } = await setup();
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const cwd = mkdtempSync(join(harnessRoot(), 'auditor-'));
      const r = await lifeboat(['audit', 'verify'], {
        cwd,
        env: { LIFEBOAT_URL: url, LIFEBOAT_TOKEN: await token('carol') },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^audit trail intact: 4 events verified \\(head [0-9a-f]{12}\\); anchored by checkpoint of 2026-03-01T12:00:00.000Z at event 3 signed by key ${signer.fingerprint} \\(storage main\\)\\n$`,
        ),
      );
      const exported = await lifeboat(['audit', 'export'], {
        cwd,
        env: { LIFEBOAT_URL: url, LIFEBOAT_TOKEN: await token('carol') },
      });
      expect(exported.code).toBe(0);
      expect(
        exported.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).seq),
      ).toEqual([1, 2, 3, 4, 5]);
      expect(readdirSync(cwd)).toEqual([]);

      const dev = await lifeboat(['audit', 'verify'], {
        cwd,
        env: { LIFEBOAT_URL: url, LIFEBOAT_TOKEN: await token('jsmith') },
      });
      expect(dev.code).toBe(3);
      expect(dev.stderr).toBe(
        "lifeboat: unable to audit read: jsmith's roles (developer) do not allow audit.read\nHINT: ask an admin for a role that allows it; or read the store directly with --data-dir DIR\n",
      );
    } finally {
      await app.close();
    }
  });
});

// Putting an edited lifeboat.yaml in force without a restart: `lifeboat config reload` through
// the API of a running Lifeboat, and SIGHUP to a `lifeboat server` process. A user added to the
// file is refused (with a hint that the file changed) until the reload and accepted after it; an
// invalid edit changes nothing and says why, with paths and lines.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueToken } from '../../src/access/tokens.js';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { lifeboat, spawnLifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { startTestLifeboat } from '../harness/lifeboat.js';
import { freshStore } from '../harness/store.js';

const CONFIG = `version: 1
teams:
  team-alpha: { members: [ann], approvers: [] }
users:
  ann: { email: ann@example.com, roles: [developer] }
  dana: { email: dana@example.com, roles: [dba-admin] }
`;
const ZOE = '  zoe: { email: zoe@example.com, roles: [developer] }\n';
// line 9 of the edited file: a reference to a server that is not defined
const BROKEN = `${CONFIG}${ZOE}databases:\n  D: { server: nowhere, name: d, owner: team-alpha, approvals: 0 }\n`;

const whoami = (url: string, token: string) =>
  lifeboat(['whoami'], { env: { LIFEBOAT_URL: url, LIFEBOAT_TOKEN: token } });

describe('lifeboat config reload', () => {
  it('puts a user added to the file in force; until then their token is refused with a hint', async () => {
    const lb = await startTestLifeboat(CONFIG, {});
    const file = lb.configFile;
    appendFileSync(file, ZOE);
    const zoe = await lb.token('zoe');

    const before = await whoami(lb.url, zoe);
    expect(before.code).toBe(3);
    expect(before.stderr).toBe(
      `lifeboat: the token's user zoe is not in the lifeboat.yaml in force\nHINT: ${file} changed on disk since it was loaded at ${lb.config.loadedAt.toISOString()}; run \`lifeboat config reload\` or send SIGHUP to the server to load it\n`,
    );

    // any refusal or "not found" may be about the change not loaded yet, and says so
    const missing = await lifeboat(['backup', 'list', 'NewDB'], { env: await lb.cliEnv('dana') });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe(
      `lifeboat: database "NewDB" is not in the catalog\nHINT: no databases are defined in lifeboat.yaml; NOTE: ${file} changed on disk since it was loaded at ${lb.config.loadedAt.toISOString()}; run \`lifeboat config reload\` or send SIGHUP to the server to load it\n`,
    );

    const reload = await lifeboat(['config', 'reload'], { env: await lb.cliEnv('dana') });
    expect(reload.stderr).toBe('');
    expect(reload.stdout).toBe(`${file}: reloaded (1 teams, 3 users, 0 servers, 0 databases)\n`);
    expect(reload.code).toBe(0);

    const after = await whoami(lb.url, zoe);
    expect(after.stderr).toBe('');
    expect(after.stdout).toContain('zoe <zoe@example.com>');
    expect(after.code).toBe(0);
    expect(lb.catalog.users.zoe?.email).toBe('zoe@example.com');

    // the same file again: nothing to swap
    const again = await lifeboat(['config', 'reload'], { env: await lb.cliEnv('dana') });
    expect(again.stdout).toBe(`${file}: unchanged since it was loaded at ${lb.config.loadedAt.toISOString()}\n`);

    const audit = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'outcome'])
      .where('action', '=', 'config.reload')
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      { actor: 'dana', action: 'config.reload', outcome: 'success' },
      { actor: 'dana', action: 'config.reload', outcome: 'success' },
    ]);
  });

  it('an invalid edit keeps the configuration in force; reload exits 2 with every problem and its line', async () => {
    const lb = await startTestLifeboat(`${CONFIG}${ZOE}`, {});
    const file = lb.configFile;
    const loadedAt = lb.config.loadedAt.toISOString();
    writeFileSync(file, BROKEN);

    const r = await lifeboat(['config', 'reload'], { env: await lb.cliEnv('dana') });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `${file}:9:16  databases.D.server  unknown_reference  server "nowhere" is not defined  (HINT: define it under servers:)\n1 error(s) in ${file}: not reloaded, the configuration in force is unchanged\n`,
    );
    expect(r.code).toBe(2);
    // still the file loaded at start
    expect(lb.config.loadedAt.toISOString()).toBe(loadedAt);
    expect(Object.keys(lb.catalog.databases)).toEqual([]);
    expect((await whoami(lb.url, await lb.token('zoe'))).code).toBe(0);

    const json = await lifeboat(['--json', 'config', 'reload'], { env: await lb.cliEnv('dana') });
    expect(json.code).toBe(2);
    const body = JSON.parse(json.stdout) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe('config_invalid');
    expect(body.error.details.issues.map((i) => i.path)).toEqual(['databases.D.server']);
  });

  it('is for dba-admins: a developer is refused (exit 3)', async () => {
    const lb = await startTestLifeboat(CONFIG, {});
    const r = await lifeboat(['config', 'reload'], { env: await lb.cliEnv('ann') });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      "lifeboat: unable to config reload: ann's roles (developer) do not allow config.reload\nHINT: ask an admin for a role that allows it\n",
    );
  });
});

describe('SIGHUP', () => {
  it('reloads the file of a running `lifeboat server`; an invalid file is logged and changes nothing', async () => {
    const store = await freshStore();
    const dir = mkdtempSync(join(harnessRoot(), 'sighup-'));
    const file = join(dir, 'lifeboat.yaml');
    // a key not acted on yet is said at start, with its line
    const labelled = 'servers:\n  pg: { engine: postgres, tier: test, url: env:PG_URL, labels: [dmz] }\nusers:\n';
    writeFileSync(file, CONFIG.replace('users:\n', labelled));
    const port = await freePort();
    const server = spawnLifeboat(['server', '--port', String(port)], {
      env: { LIFEBOAT_DATABASE_URL: store.url.reveal(), LIFEBOAT_CONFIG: file, PG_URL: 'postgres://127.0.0.1:1/pg' },
    });
    try {
      await server.waitFor(/ {2}stop: {3}Ctrl-C/);
      expect(server.output()).toContain(
        '  note:   1 key of lifeboat.yaml is not acted on yet (servers.pg.labels, line 5)\n',
      );
      const url = `http://127.0.0.1:${port}`;
      appendFileSync(file, ZOE);
      const zoe = (await issueToken(store.db, { user: 'zoe', actor: 'test' })).token;
      const refused = await whoami(url, zoe);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(`HINT: ${file} changed on disk since it was loaded at `);

      server.child.kill('SIGHUP');
      const deadline = Date.now() + 30_000;
      while ((await whoami(url, zoe)).code !== 0) {
        if (Date.now() > deadline) throw new Error(`zoe still refused after SIGHUP:\n${server.output()}`);
      }

      writeFileSync(file, BROKEN);
      server.child.kill('SIGHUP');
      await server.waitFor(/lifeboat.yaml not reloaded \(SIGHUP\): the configuration in force is unchanged/);
      const line = server
        .output()
        .split('\n')
        .find((l) => l.includes('not reloaded (SIGHUP)'))!;
      const logged = JSON.parse(line) as { file: string; issues: { path: string; line: number; code: string }[] };
      expect(logged.file).toBe(file);
      expect(logged.issues.map((i) => `${i.line} ${i.path} ${i.code}`)).toEqual([
        '9 databases.D.server unknown_reference',
      ]);
      expect((await whoami(url, zoe)).code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(BROKEN);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited()).toBe(0);
    }
  }, 120_000);
});

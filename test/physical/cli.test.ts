// Physical backups from the command line, through the API and a worker, with the real
// pgBackRest: setup prints the settings and checks archiving, a DBA queues a full backup, the
// worker records and verifies it, `list` shows it (system id exact) and `status` the archiving.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import type { PhysicalBackupDoc } from '../../src/contract/physical.js';
import { lifeboat } from '../harness/cli.js';
import { archivingSettings, socketDir } from '../harness/archiving.js';
import { harnessRoot, startTestCluster, type TestCluster } from '../harness/cluster.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';
import { PASSWORD, SUPERUSER } from '../harness/paths.js';

let root: string;
let sockDir: string;
let source: TestCluster;
let lb: TestLifeboat;

const config = () => `version: 1
users:
  dana: { email: dana@example.com, roles: [dba-admin] }
  rita: { email: rita@example.com, roles: [recovery-operator] }
  jsmith: { email: jsmith@example.com, roles: [developer] }
servers:
  prod:
    engine: postgres
    tier: production
    url: env:PROD_URL
    pgbackrest:
      stanza: prod
      pg_data: ${source?.dataDir ?? '/unknown'}
      socket_path: ${sockDir}
      repo: vault
      config_dir: ${join(root, 'pgbr')}
      archive_timeout: 60s
storage:
  vault: { type: filesystem, path: ${join(root, 'vault')} }
`;

beforeAll(async () => {
  root = mkdtempSync(join(harnessRoot(), 'pcli-'));
  chmodSync(root, 0o755);
  sockDir = socketDir();
  const pre = parseConfig(config(), { baseDir: root, env: { PROD_URL: 'postgres://p:x@127.0.0.1:1/postgres' } });
  const settings = archivingSettings(pre, 'prod', sockDir);
  source = await startTestCluster('pcli-src', { settings });
  lb = await startTestLifeboat(config(), {
    PROD_URL: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${source.port}/postgres`,
  });
}, 120_000);

afterAll(() => rmSync(sockDir, { recursive: true, force: true }));

describe('lifeboat backup physical', () => {
  it('setup: a developer is refused; a DBA gets the settings and a passing check', async () => {
    const denied = await lifeboat(['backup', 'physical', 'setup', 'prod'], { env: await lb.cliEnv('jsmith') });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/do not allow backup\.physical/);

    const r = await lifeboat(['backup', 'physical', 'setup', 'prod'], { env: await lb.cliEnv('dana') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `archive_command = 'pgbackrest --config=${join(root, 'pgbr', 'pgbackrest.conf')} --stanza=prod archive-push %p'`,
    );
    expect(r.stdout).toContain("archive_mode = 'on'");
    expect(r.stdout).toContain("archive_timeout = '60s'");
    expect(r.stdout).toContain('WAL archiving reaches the repository');
  });

  it('run: queued, taken by the worker, recorded and verified; list and status show it', async () => {
    const q = await lifeboat(['backup', 'physical', 'run', 'prod', '--type', 'full', '--json'], {
      env: await lb.cliEnv('dana'),
    });
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    expect(JSON.parse(q.stdout)).toMatchObject({ server: 'prod', type: 'full' });
    // the worker records the backup, then its verdict
    let verified = false;
    for (let i = 0; i < 1200 && !verified; i++) {
      const row = await lb.store.db
        .selectFrom('physical_backups')
        .select('verify_status')
        .where('server', '=', 'prod')
        .executeTakeFirst();
      verified = row?.verify_status === 'verified';
      if (!verified) await new Promise((r) => setTimeout(r, 100));
    }
    expect(verified).toBe(true);

    const list = await lifeboat(['backup', 'physical', 'list', 'prod', '--json'], { env: await lb.cliEnv('rita') });
    expect(list.code).toBe(0);
    const { backups } = JSON.parse(list.stdout) as { backups: PhysicalBackupDoc[] };
    const [ctl] = await source.query<{ id: string }>(
      'postgres',
      'select system_identifier::text as id from pg_control_system()',
    );
    expect(backups).toEqual([
      expect.objectContaining({
        server: 'prod',
        type: 'full',
        systemId: ctl!.id,
        verifyStatus: 'verified',
        trigger: 'manual',
        requestedBy: 'dana',
      }),
    ]);
    const human = await lifeboat(['backup', 'physical', 'list'], { env: await lb.cliEnv('rita') });
    expect(human.stdout).toContain(`${backups[0]!.label}`);
    expect(human.stdout).toContain(`system ${ctl!.id}`);

    const status = await lifeboat(['backup', 'physical', 'status', 'prod'], { env: await lb.cliEnv('rita') });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/last archived WAL: [0-9A-F]{24} at \d{4}-/);
    expect(status.stdout).toMatch(/achievable RPO now: /);

    // a developer sees no physical backups (they belong to a server, not to a team's database)
    const dev = await lifeboat(['backup', 'physical', 'list'], { env: await lb.cliEnv('jsmith') });
    expect(dev.code).not.toBe(0);
  }, 180_000);

  it('a server without physical backups: a clear error with a hint', async () => {
    const r = await lifeboat(['backup', 'physical', 'run', 'nosuch'], { env: await lb.cliEnv('dana') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no server named nosuch/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});

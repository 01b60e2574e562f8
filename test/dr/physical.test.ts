// Disaster recovery from a PHYSICAL recovery point, through the real CLI and the real pgBackRest:
// CustomerDB lives on a server that archives its WAL into a pgBackRest stanza; a logical backup
// and a full physical backup are taken, then an incremental set whose verify verdict is failed;
// rows are written after both and their WAL archived. `dr plan` chooses the newest point the
// archived WAL reaches (newer than the logical backup), skipping the failed set with its verdict
// and replaying from the full one; the RPO achieved is at most the archive lag. `dr execute`
// recovers the cluster into a new instance (progress in the timeline), validates, calls the
// cutover hook and polls health until green; the new instance has the rows; `dr report` says so.
import { createServer, type Server } from 'node:http';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import type { IncidentDetail, PlanDoc, ReportDoc } from '../../src/contract/dr.js';
import { stopCluster } from '../../src/engines/postgres/local-cluster.js';
import { declareIncident } from '../../src/dr/declare.js';
import { archiveStatus, readStanzaInfo, takePhysicalBackup } from '../../src/physical/backup.js';
import { getRepo, getServerOf } from '../../src/physical/lookup.js';
import { setupStanza } from '../../src/physical/setup.js';
import { lifeboat } from '../harness/cli.js';
import { archivingSettings, socketDir, waitArchived } from '../harness/archiving.js';
import { harnessRoot, startTestCluster, type TestCluster } from '../harness/cluster.js';
import { fixtureConfig } from '../harness/fixtures.js';
import { startTestLifeboat } from '../harness/lifeboat.js';
import { CUSTOMER_TEMPLATE_DB, PASSWORD } from '../harness/paths.js';
import { backUpAgain } from '../harness/runs.js';

let root: string;
let sockDir: string;
let source: TestCluster;
let app: Server;
let appUrl: string;
const hits = { health: 0 };
const dataDirs: string[] = [];

function config(dataDir: string): string {
  const text = fixtureConfig({
    databaseExtra: `    verify:
      - { name: customers present, sql: "select count(*) > 0 from customers" }
    dr:
      target: new_instance
      cutover:
        - command: [/bin/sh, -c, 'env > "$0"', ${JSON.stringify(join(root, 'hook-env.txt'))}]
      health_url: ${appUrl}/health
`,
    extra: `dr:
  health_interval: 100ms
  health_timeout: 60s
  instances_dir: ${JSON.stringify(join(root, 'instances'))}
`,
  });
  const server = `  prod-pg01: { engine: postgres, tier: production,  url: env:PROD_PG01_URL }`;
  expect(text).toContain(server);
  return text
    .replace(
      server,
      `  prod-pg01:
    engine: postgres
    tier: production
    url: env:PROD_PG01_URL
    pgbackrest:
      stanza: prod
      pg_data: ${dataDir}
      socket_path: ${sockDir}
      repo: vault
      config_dir: ${join(root, 'pgbr')}
      archive_timeout: 60s`,
    )
    .replace('storage:\n', `storage:\n  vault: { type: filesystem, path: ${join(root, 'vault')} }\n`);
}

beforeAll(async () => {
  root = mkdtempSync(join(harnessRoot(), 'drphys-'));
  chmodSync(root, 0o755);
  sockDir = socketDir();
  app = createServer((req, res) => {
    if (req.url === '/health') hits.health++;
    res.statusCode = 200;
    res.end('{}');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  // the archive_command depends on the configuration directory only: known before the cluster
  const pre = parseConfig(config(join(root, 'unknown')), {
    baseDir: root,
    env: { PROD_PG01_URL: 'postgres://postgres:x@127.0.0.1:5432/postgres', DEV_PG01_URL: 'postgres://x@127.0.0.1:1/x' },
  });
  const settings = archivingSettings(pre, 'prod-pg01', sockDir);
  source = await startTestCluster('drphys-src', {
    settings,
  });
  await source.createDatabase('customer', CUSTOMER_TEMPLATE_DB);
}, 120_000);

afterAll(async () => {
  await new Promise((r) => app.close(r));
  for (const dir of dataDirs) {
    await stopCluster(dir, 'immediate');
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  rmSync(sockDir, { recursive: true, force: true });
});

describe('dr from a physical recovery point', () => {
  it('plans the newest point the archived WAL reaches, skips a failed set, recovers it, cuts over, reports a small RPO', async () => {
    const lb = await startTestLifeboat(config(source.dataDir), {
      PROD_PG01_URL: source.url('postgres'),
      DEV_PG01_URL: 'postgres://postgres:x@127.0.0.1:1/postgres',
      MASKING_KEY: 'test-masking-key-0123456789abcdef',
      BACKUP_PASSPHRASE: 'correct horse battery staple',
    });
    const logical = await backUpAgain(lb);
    expect((await setupStanza(lb.catalog, 'prod-pg01')).archiving).toBe(true);
    const full = await takePhysicalBackup(lb.store.db, lb.catalog, {
      server: 'prod-pg01',
      type: 'full',
      trigger: 'manual',
      actor: 'dba',
    });
    expect(full.verifyStatus).toBe('verified');
    await source.query('customer', 'create table dr_marker (id int primary key)');
    await source.query('customer', 'insert into dr_marker select generate_series(1, 10)');
    const incr = await takePhysicalBackup(lb.store.db, lb.catalog, {
      server: 'prod-pg01',
      type: 'incr',
      trigger: 'manual',
      actor: 'dba',
    });
    expect(incr.verifyStatus).toBe('verified');
    // the incremental set's verdict: failed (as `pgbackrest verify` records one it finds damaged)
    await lb.store.db
      .updateTable('physical_backups')
      .set({ verify_status: 'failed', verify_error: 'invalid (missing files)' })
      .where('label', '=', incr.label)
      .execute();
    // rows written after both backups, their WAL switched and archived
    await source.query('customer', 'insert into dr_marker select generate_series(11, 42)');
    // a failure after the last transaction, before its segment was switched and archived
    const [{ quiet }] = (await source.query<{ quiet: Date }>('customer', 'select clock_timestamp() as quiet')) as [
      { quiet: Date },
    ];
    await source.query('customer', 'select pg_sleep(0.3)');
    await source.query('customer', 'select pg_switch_wal()');
    await waitArchived(source);
    const server = getServerOf(lb.catalog, 'prod-pg01');
    const storage = getRepo(lb.catalog, server);
    const archived = (await archiveStatus(server, storage, await readStanzaInfo(server, storage))).lastArchivedAt!;
    expect(archived.getTime()).toBeGreaterThan(quiet.getTime());

    // an alert that started then: the archive reaches past it, but nothing was committed after it,
    // so the plan recovers to the latest state (the same data), not to a time PostgreSQL would
    // never reach (it stops only at a transaction after the target)
    const early = await declareIncident(lb.store.db, lb.catalog, {
      database: 'CustomerDB',
      actor: 'alertmanager',
      alert: { fingerprint: 'quiet-stretch', name: 'PostgresDown', labels: {}, startsAt: quiet },
    });
    const quietPlan = await lifeboat(['--json', 'dr', 'plan', String(early.id)], { env: await lb.cliEnv('rita') });
    expect(quietPlan.stderr).toBe('');
    expect(JSON.parse(quietPlan.stdout) as PlanDoc).toMatchObject({
      chosen: { kind: 'physical', label: full.label, target: 'latest', takenAt: quiet.toISOString() },
    });

    const rita = await lb.cliEnv('rita');
    const declared = await lifeboat(['--json', 'dr', 'declare', 'CustomerDB', '--reason', 'prod-pg01 lost'], {
      env: rita,
    });
    expect(declared.stderr).toBe('');
    const incident = JSON.parse(declared.stdout) as IncidentDetail;

    const planned = await lifeboat(['--json', 'dr', 'plan', String(incident.id)], { env: rita });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as PlanDoc;
    expect(plan.chosen).toMatchObject({ kind: 'physical', server: 'prod-pg01', stanza: 'prod', label: full.label });
    expect(plan.chosen!.takenAt).toBe(archived.toISOString());
    expect(Date.parse(plan.chosen!.takenAt)).toBeGreaterThan(
      Date.parse(plan.candidates.find((c) => c.point.kind === 'logical')!.point.takenAt),
    );
    expect(plan.skipped).toEqual([
      {
        point: expect.objectContaining({ kind: 'physical', label: incr.label }),
        reason: 'corrupt: pgbackrest verify: invalid (missing files)',
      },
    ]);
    // the data lost is at most the archive lag (failure time minus the newest archived segment's time)
    const lag = (Date.parse(plan.failureAt) - archived.getTime()) / 1000;
    expect(plan.dataLossSeconds).toBeLessThanOrEqual(Math.ceil(lag));
    expect(plan.rpoMet).toBe(true);
    expect(plan.candidates.map((c) => [c.point.kind, c.integrity])).toEqual([
      ['physical', 'corrupt'],
      ['physical', 'valid'],
      ['logical', 'unchecked'],
    ]);
    expect(logical).toBe((plan.candidates[2]!.point as { backupId: string }).backupId);

    const executed = await lifeboat(['--json', 'dr', 'execute', String(incident.id), '--wait'], { env: rita });
    expect(executed.stderr).toBe('');
    const done = JSON.parse(executed.stdout) as IncidentDetail;
    if (done.instance?.dataDir) dataDirs.push(done.instance.dataDir);
    expect(done.error).toBeNull();
    expect(done.status).toBe('recovered');
    const instance = done.instance!;
    expect(instance).toMatchObject({ kind: 'new_instance', host: '127.0.0.1', dbname: 'customer', passwordFile: null });
    expect(instance.dataDir!.startsWith(join(root, 'instances'))).toBe(true);

    // the database inside it is the source's own, with every row written before the archived WAL
    const client = new pg.Client({
      host: instance.host,
      port: instance.port,
      user: instance.user,
      password: PASSWORD,
      database: 'customer',
    });
    await client.connect();
    try {
      const n = await client.query<{ n: string; mode: string }>(
        "select count(*)::text as n, current_setting('archive_mode') as mode from dr_marker",
      );
      expect(n.rows[0]).toEqual({ n: '42', mode: 'off' });
    } finally {
      await client.end();
    }

    // the cutover hook was called with the new instance; health went green
    const env = readFileSync(join(root, 'hook-env.txt'), 'utf8');
    expect(env).toContain(`LIFEBOAT_RECOVERED_PORT=${instance.port}\n`);
    expect(env).toContain('LIFEBOAT_RECOVERED_DBNAME=customer\n');
    expect(hits.health).toBeGreaterThanOrEqual(1);
    const kinds = done.timeline.map((e) => `${e.kind}${e.details.step ? `:${String(e.details.step)}` : ''}`);
    for (const k of [
      'step_started:restore',
      'progress:restore',
      'step_finished:restore',
      'step_finished:validate',
      'step_finished:cutover',
      'health_green',
      'recovered',
    ])
      expect(kinds).toContain(k);
    expect(kinds).not.toContain('step_started:prepare_target');
    const progress = done.timeline.filter((e) => e.kind === 'progress').map((e) => e.message);
    expect(progress.some((m) => m.startsWith(`restoring files from ${full.label}: `))).toBe(true);
    expect(progress.at(-1)).toMatch(/^promoted: recovered to /);

    const rep = await lifeboat(['--json', 'dr', 'report', String(incident.id)], { env: rita });
    expect(rep.code).toBe(0);
    const report = JSON.parse(rep.stdout) as ReportDoc;
    expect(report.rpoAchievedSeconds).toBe(plan.dataLossSeconds);
    expect(report.rpoAchievedSeconds).toBeLessThan(60);
    expect(report).toMatchObject({ status: 'recovered', rpoMet: true, rtoMet: true });
    // the server's password is in no timeline entry or report (the harness directory is named like it)
    expect(JSON.stringify(done) + rep.stdout).not.toContain(`:${PASSWORD}@`);
    await lb.stop();
    expect(existsSync(instance.dataDir!)).toBe(true);
  }, 300_000);
});

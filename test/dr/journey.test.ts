// PRODUCT.md journey 3 against real clusters through the real CLI: CustomerDB is declared lost;
// `dr plan` verifies the newest backup, finds it corrupt (a byte of it overwritten in the
// storage), skips it with the reason and chooses the older one, recording the RPO miss;
// `dr execute` restores it into a new PostgreSQL instance on the worker's machine, validates it,
// runs a command hook (which writes its environment to a file) and a webhook hook (a loopback
// receiver), and polls health and smoke endpoints that turn green after a few polls; `dr report`
// gives RPO and RTO achieved, the timeline and the miss, as JSON and Markdown, stored as
// evidence. The new instance's password is in no timeline, notification, audit event or report.
import { createServer, type Server } from 'node:http';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail, PlanDoc, ReportDoc } from '../../src/contract/dr.js';
import { stopCluster } from '../../src/engines/postgres/local-cluster.js';
import { lifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { type FixtureServers, fixtureConfig, startFixtureServers, tableContents } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp, backUpAgain } from '../harness/runs.js';

let servers: FixtureServers;
let app: Server;
let appUrl: string;
const hits = { health: 0, smoke: 0, hooks: [] as unknown[] };
const dataDirs: string[] = [];

beforeAll(async () => {
  servers = await startFixtureServers();
  // the application: a cutover webhook, and health and smoke endpoints that turn green after a few polls
  app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/hook') hits.hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const n = req.url === '/health' ? ++hits.health : req.url === '/smoke' ? ++hits.smoke : 0;
      res.statusCode = req.url === '/health' && n < 3 ? 503 : req.url === '/smoke' && n < 2 ? 500 : 200;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => app.close(r));
  // the new instances the recoveries made: stopped and removed
  for (const dir of dataDirs) {
    await stopCluster(dir, 'immediate');
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

function config(envFile: string, instances: string): string {
  return fixtureConfig({
    databaseExtra: `    verify:
      - { name: customers present, sql: "select count(*) > 0 from customers" }
    dr:
      target: new_instance
      cutover:
        - command: [/bin/sh, -c, 'env > "$0"', ${JSON.stringify(envFile)}]
        - webhook: ${appUrl}/hook
      health_url: ${appUrl}/health
      smoke_url: ${appUrl}/smoke
`,
    extra: `dr:
  health_interval: 100ms
  health_timeout: 60s
  instances_dir: ${JSON.stringify(instances)}
`,
  });
}

/** Overwrites one byte in the middle of the backup's biggest data file in the storage. */
function corrupt(lb: TestLifeboat, backupId: string): string {
  const dir = join(lb.dir, 'backups', 'CustomerDB', backupId);
  const file = readdirSync(dir)
    .filter((n) => /^\d+\.dat/.test(n))
    .sort((x, y) => statSync(join(dir, y)).size - statSync(join(dir, x)).size)[0]!;
  const buf = readFileSync(join(dir, file));
  buf[Math.floor(buf.length / 2)]! ^= 0x41;
  writeFileSync(join(dir, file), buf);
  return file;
}

describe('lifeboat dr: declare → plan → execute → report', () => {
  it('recovers CustomerDB from the older backup when the newest is corrupt, cuts over, and reports RPO and RTO', async () => {
    const work = mkdtempSync(join(harnessRoot(), 'dr-'));
    chmodSync(work, 0o755);
    const envFile = join(work, 'hook-env.txt');
    const lb = await backedUp(servers, config(envFile, join(work, 'instances')));
    const older = await lb.store.db.selectFrom('backups').select('id').executeTakeFirstOrThrow();
    // the older backup was taken two hours ago: restoring it misses the 1h RPO
    await sql`update backups set started_at = started_at - interval '2 hours', created_at = created_at - interval '2 hours'
      where id = ${older.id}`.execute(lb.store.db);
    const newest = await backUpAgain(lb);
    const damaged = corrupt(lb, newest);
    const rita = await lb.cliEnv('rita');

    // a developer may not declare
    const denied = await lifeboat(['dr', 'declare', 'CustomerDB'], { env: await lb.cliEnv('jsmith') });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain("jsmith's roles (developer) do not allow dr.declare on CustomerDB");

    const declared = await lifeboat(['--json', 'dr', 'declare', 'CustomerDB', '--reason', 'prod-pg01 lost its disk'], {
      env: rita,
    });
    expect(declared.stderr).toBe('');
    expect(declared.code).toBe(0);
    const incident = JSON.parse(declared.stdout) as IncidentDetail;
    expect(incident).toMatchObject({
      status: 'declared',
      source: 'manual',
      declaredBy: 'rita',
      database: 'CustomerDB',
    });

    // plan: the newest is verified, found corrupt, skipped; the older chosen with the RPO miss
    const planned = await lifeboat(['--json', 'dr', 'plan', String(incident.id)], { env: rita });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as PlanDoc;
    expect(plan.chosen).toMatchObject({ kind: 'logical', backupId: older.id });
    expect(plan.candidates.map((c) => [(c.point as { backupId: string }).backupId, c.integrity])).toEqual([
      [newest, 'corrupt'],
      [older.id, 'valid'],
    ]);
    const damage = `${damaged.replace(/\./g, '\\.')} does not match its SHA-256 \\(expected [0-9a-f]{64}, got [0-9a-f]{64}\\)`;
    expect(plan.skipped).toHaveLength(1);
    expect(plan.skipped[0]!.reason).toMatch(new RegExp(`^corrupt: ${damage}$`));
    expect(plan.rpoMet).toBe(false);
    expect(plan.rpoMiss).toMatch(
      /^the newest valid point was taken 2h( \d+s)? before the failure, over the RPO of 1h$/,
    );
    const corruptRow = await lb.store.db
      .selectFrom('backups')
      .select('status')
      .where('id', '=', newest)
      .executeTakeFirstOrThrow();
    expect(corruptRow.status).toBe('corrupt');

    // planned again (human output): the same point, audited with what changed
    const again = await lifeboat(['dr', 'plan', String(incident.id)], { env: rita });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`chosen: backup ${older.id}`);
    expect(again.stdout).toContain(`skipped: backup ${newest}: corrupt: `);
    expect(again.stdout).toContain('RPO MISSED: the newest valid point was taken 2h');
    const plans = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'details'])
      .where('action', '=', 'dr.plan')
      .orderBy('seq')
      .execute();
    expect(plans.map((p) => [p.actor, (p.details as { changed?: string }).changed ?? null])).toEqual([
      ['rita', null],
      ['rita', 'the same recovery point'],
    ]);

    // execute: new instance, restore, validate, cutover hooks, health and smoke green
    const executed = await lifeboat(['--json', 'dr', 'execute', String(incident.id), '--wait'], { env: rita });
    expect(executed.stderr).toBe('');
    const done = JSON.parse(executed.stdout) as IncidentDetail;
    expect(done.error).toBeNull();
    expect(done.status).toBe('recovered');
    expect(executed.code).toBe(0);
    const instance = done.instance!;
    dataDirs.push(instance.dataDir!);
    expect(instance).toMatchObject({ kind: 'new_instance', host: '127.0.0.1', dbname: 'customer', user: 'postgres' });
    expect(instance.dataDir!.startsWith(join(work, 'instances'))).toBe(true);
    const password = readFileSync(instance.passwordFile!, 'utf8').trim();
    expect(statSync(instance.passwordFile!).mode & 0o777).toBe(0o600);

    // the new instance has the rows of the backup
    const client = new pg.Client({
      host: instance.host,
      port: instance.port,
      user: instance.user,
      password,
      database: instance.dbname,
    });
    await client.connect();
    try {
      const counts = await client.query<{ n: string }>('select count(*)::text as n from customers');
      const source = await tableContents(servers.prod, 'customer');
      expect(Number(counts.rows[0]!.n)).toBe(source['public.customers']!.length);
    } finally {
      await client.end();
    }

    // the command hook had the documented environment (and not the worker's)
    const env = Object.fromEntries(
      readFileSync(envFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({
      LIFEBOAT_INCIDENT: String(incident.id),
      LIFEBOAT_DATABASE: 'CustomerDB',
      LIFEBOAT_RECOVERED_HOST: '127.0.0.1',
      LIFEBOAT_RECOVERED_PORT: String(instance.port),
      LIFEBOAT_RECOVERED_DBNAME: 'customer',
      LIFEBOAT_RECOVERED_USER: 'postgres',
      LIFEBOAT_RECOVERED_URL: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${instance.port}/customer`,
    });
    expect(env.PROD_PG01_URL).toBeUndefined();
    // the webhook hook got the same facts, without the password
    expect(hits.hooks).toEqual([
      {
        incident: incident.id,
        database: 'CustomerDB',
        recovered: {
          kind: 'new_instance',
          host: '127.0.0.1',
          port: instance.port,
          dbname: 'customer',
          user: 'postgres',
        },
      },
    ]);
    expect(hits.health).toBeGreaterThanOrEqual(3);

    // the timeline, step by step
    const kinds = done.timeline.map((e) => `${e.kind}${e.details.step ? `:${String(e.details.step)}` : ''}`);
    expect(kinds.slice(0, 4)).toEqual(['declared', 'plan', 'plan', 'step_started:prepare_target']);
    for (const k of [
      'step_finished:prepare_target',
      'step_started:restore',
      'step_finished:restore',
      'step_finished:validate',
      'step_finished:cutover_hook',
      'step_finished:cutover',
      'health_green',
      'recovered',
    ])
      expect(kinds).toContain(k);
    const attempts = done.timeline.filter((e) => e.kind === 'health_attempt').map((e) => e.message);
    expect(attempts[0]).toBe('attempt 1: health 503, smoke 500');
    expect(attempts.at(-1)).toMatch(/^attempt \d+: health 200, smoke 200$/);
    expect(kinds.at(-1)).toBe('recovered');

    // the report: RPO and RTO achieved, the miss, the skipped backup, the timeline
    const rep = await lifeboat(['--json', 'dr', 'report', String(incident.id)], { env: rita });
    expect(rep.code).toBe(0);
    const report = JSON.parse(rep.stdout) as ReportDoc;
    expect(report.rpoAchievedSeconds).toBeGreaterThanOrEqual(7200);
    expect(report.rtoAchievedSeconds).toBe(
      Math.round((Date.parse(report.healthGreenAt!) - Date.parse(incident.startedAt)) / 1000),
    );
    expect(report).toMatchObject({
      status: 'recovered',
      rpoTargetSeconds: 3600,
      rtoTargetSeconds: 14400,
      rpoMet: false,
      rtoMet: true,
    });
    expect(report.misses).toHaveLength(1);
    expect(report.misses[0]).toMatch(/^RPO missed: 2h( \d+s)? of data lost, over the RPO of 1h$/);
    expect(report.skipped.map((s) => (s.point as { backupId: string }).backupId)).toEqual([newest]);
    for (const m of Object.values(report.milestones).slice(1)) expect(m).not.toBeNull();
    expect(report.milestones.alert).toBeNull();
    expect(report.timeline.length).toBe(done.timeline.length);
    const md = await lifeboat(['dr', 'report', String(incident.id), '--markdown'], { env: rita });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(`# Disaster recovery #${incident.id}: CustomerDB`);
    expect(md.stdout).toMatch(/\| RPO \(data lost\) \| 2h[^|]* \| 1h \| \*\*missed\*\* \|/);
    expect(md.stdout).toMatch(/\| RTO \(time to restore\) \| [^|]+ \| 4h \| met \|/);
    expect(md.stdout).toContain(`- backup ${newest}: corrupt: `);

    // stored as evidence, its hashes in the audit event
    const evidenceDir = join(lb.dir, 'backups', '_incidents', String(incident.id));
    expect(readdirSync(evidenceDir).sort()).toEqual(['proof.json', 'report.json', 'report.md']);
    const stored = JSON.parse(readFileSync(join(evidenceDir, 'report.json'), 'utf8')) as ReportDoc;
    expect(stored.rpoAchievedSeconds).toBe(report.rpoAchievedSeconds);
    const recorded = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'details'])
      .where('action', '=', 'dr.report')
      .executeTakeFirstOrThrow();
    expect(recorded.actor).toBe('worker');
    expect(Object.keys((recorded.details as { files: object }).files).sort()).toEqual(['report.json', 'report.md']);

    // declared, recovered: notified; the password is nowhere
    const events = await lb.store.db
      .selectFrom('notification_events')
      .select(['type', 'data'])
      .where('subject_type', '=', 'incident')
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['dr.declared', 'dr.recovered']);
    const audit = await lb.store.db.selectFrom('audit_events').select('details').execute();
    const everything = [
      JSON.stringify(done),
      JSON.stringify(events),
      JSON.stringify(audit),
      readFileSync(join(evidenceDir, 'report.json'), 'utf8'),
      readFileSync(join(evidenceDir, 'report.md'), 'utf8'),
      rep.stdout,
      md.stdout,
    ].join('\n');
    expect(everything).not.toContain(password);
    expect(existsSync(instance.dataDir!)).toBe(true);
  });

  it('a failing cutover hook fails the incident at that step, notified, with the new instance kept and the password redacted', async () => {
    const work = mkdtempSync(join(harnessRoot(), 'dr-fail-'));
    chmodSync(work, 0o755);
    const text = fixtureConfig({
      databaseExtra: `    dr:
      cutover:
        - command: [/bin/sh, -c, 'echo "cannot reach $LIFEBOAT_RECOVERED_URL" >&2; exit 3']
`,
      extra: `dr:
  instances_dir: ${JSON.stringify(join(work, 'instances'))}
`,
    });
    const lb = await backedUp(servers, text);
    const dana = await lb.cliEnv('dana');
    const declared = await lifeboat(['--json', 'dr', 'declare', 'CustomerDB'], { env: dana });
    const id = (JSON.parse(declared.stdout) as IncidentDetail).id;
    // executing before planning is refused, with what to do
    const early = await lifeboat(['dr', 'execute', String(id)], { env: dana });
    expect(early.code).toBe(3);
    expect(early.stderr).toBe(
      `lifeboat: incident ${id} has no plan\nHINT: plan it (again) first: \`lifeboat dr plan ${id}\`\n`,
    );
    const plan = await lifeboat(['--json', 'dr', 'plan', String(id)], { env: dana });
    expect((JSON.parse(plan.stdout) as PlanDoc).rpoMet).toBe(true);
    const r = await lifeboat(['--json', 'dr', 'execute', String(id), '--wait'], { env: dana });
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout) as IncidentDetail;
    dataDirs.push(d.instance!.dataDir!);
    expect(d.status).toBe('failed');
    expect(d.errorStep).toBe('cutover');
    expect(d.error).toBe('cutover hook 1 of 1 (/bin/sh) exited with 3: cannot reach ***');
    const password = readFileSync(d.instance!.passwordFile!, 'utf8').trim();
    expect(JSON.stringify(d)).not.toContain(password);
    // kept, running, for inspection: said in the timeline and the notification
    const last = d.timeline.at(-1)!;
    expect(last.kind).toBe('failed');
    expect(last.message).toBe(
      `recovery failed at cutover; kept for inspection: ${d.instance!.dataDir} (PostgreSQL on 127.0.0.1:${d.instance!.port}, password in ${d.instance!.passwordFile})`,
    );
    const client = new pg.Client({
      host: '127.0.0.1',
      port: d.instance!.port,
      user: 'postgres',
      password,
      database: 'customer',
    });
    await client.connect();
    await client.end();
    const events = await lb.store.db
      .selectFrom('notification_events')
      .select(['type', 'data'])
      .where('subject_type', '=', 'incident')
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['dr.declared', 'dr.failed']);
    expect(events[1]!.data).toMatchObject({
      errorStep: 'cutover',
      kept: expect.stringContaining(d.instance!.dataDir!) as string,
    });
    // a failed incident is reported too (not recovered: no RTO achieved)
    const rep = JSON.parse((await lifeboat(['--json', 'dr', 'report', String(id)], { env: dana })).stdout) as ReportDoc;
    expect(rep).toMatchObject({
      status: 'failed',
      errorStep: 'cutover',
      rtoAchievedSeconds: null,
      healthGreenAt: null,
    });
    expect(rep.rpoAchievedSeconds).toBeGreaterThanOrEqual(0);
  });
});

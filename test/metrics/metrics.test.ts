// GET /metrics of a running Lifeboat with a backup, a drill, a restore, a dry run and a schema
// drift done: Prometheus's own `promtool check metrics` accepts it without a lint problem, the
// values are the store's (backup age, drill verdict, runs by status), labels stay bounded (route
// patterns, never URLs or ids), the metrics token is required when configured, and a real
// Prometheus scrapes it with that token.
import { beforeAll, describe, expect, it } from 'vitest';
import { requestDrill } from '../../src/drills/request.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { promtoolCheckMetrics, startPrometheus } from '../harness/prometheus.js';
import { backedUp } from '../harness/runs.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

interface Line {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of an exposition (comments left out). */
function parse(text: string): Line[] {
  const out: Line[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function one(lines: Line[], name: string, labels: Record<string, string> = {}): number {
  const hits = lines.filter((l) => l.name === name && Object.entries(labels).every(([k, v]) => l.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${hits.length} samples of ${name}${JSON.stringify(labels)}`);
  return hits[0]!.value;
}

/** Polls the store until `check` holds (a minute at most). */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let servers: FixtureServers;
let lb: TestLifeboat;
let drillId: number;
let runIds: number[];

beforeAll(async () => {
  servers = await startFixtureServers();
  lb = await backedUp(
    servers,
    fixtureConfig({
      databaseExtra: '    drill: { target: dev-pg01 }',
      extra: 'server:\n  metrics_token: env:LIFEBOAT_METRICS_TOKEN',
    }),
    { env: { LIFEBOAT_METRICS_TOKEN: TOKEN } },
  );
  const api = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${lb.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await lb.token(user)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  // a drill, run by the worker to its verdict
  drillId = (
    await requestDrill(lb.store.db, lb.queue, lb.catalog, { database: 'CustomerDB', actor: 'alice', trigger: 'manual' })
  ).id;
  await until(
    () => lb.store.db.selectFrom('drills').select('status').where('id', '=', drillId).executeTakeFirstOrThrow(),
    (d) => d.status === 'passed' || d.status === 'failed',
    `drill ${drillId}`,
  );

  // an executed restore (no approvals needed: straight to a worker) and a dry run
  const executed = await api('jsmith', 'POST', '/api/v1/runs', {
    database: 'CustomerDB',
    to: 'dev-pg01/metrics_copy',
    execute: true,
    confirm: 'dev-pg01/metrics_copy',
    acknowledge: true,
  });
  const dry = await api('jsmith', 'POST', '/api/v1/runs', { database: 'CustomerDB', to: 'dev-pg01/metrics_dry' });
  runIds = [Number(executed.id), Number(dry.id)];
  await until(
    () =>
      lb.store.db.selectFrom('restore_runs').select('status').where('id', '=', runIds[0]!).executeTakeFirstOrThrow(),
    (r) => ['completed', 'partial', 'failed'].includes(r.status),
    `run ${runIds[0]}`,
  );
  // each run read through its URL: the route label must be the pattern, not these paths
  for (const id of runIds) await api('jsmith', 'GET', `/api/v1/runs/${id}`);
  await fetch(`${lb.url}/api/v1/no-such-thing/${runIds[0]}`);

  // the schema accepted as the reference, then changed: a drift
  await api('alice', 'POST', '/api/v1/databases/CustomerDB/schema/accept', {});
  await servers.prod.query('customer', 'create table metrics_drift (id int)');
  await api('alice', 'POST', '/api/v1/databases/CustomerDB/schema/drift');
});

const scrape = async (authorization?: string) =>
  fetch(`${lb.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });

describe('/metrics', () => {
  it('passes promtool check metrics, and says what the store holds', async () => {
    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();

    const check = await promtoolCheckMetrics(body);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.code).toBe(0);

    const lines = parse(body);
    // every lifeboat_* family says what it is
    for (const name of new Set(lines.map((l) => l.name.replace(/_(bucket|sum|count)$/, '')))) {
      if (name.startsWith('lifeboat_')) expect(body).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
    }
    expect(one(lines, 'lifeboat_store_up')).toBe(1);
    expect(one(lines, 'lifeboat_database_info', { database: 'CustomerDB', team: 'team-alpha' })).toBe(1);

    const db = lb.store.db;
    const newest = await db
      .selectFrom('backups')
      .select(['finished_at', 'bytes', 'started_at'])
      .where('status', '=', 'verified')
      .orderBy('finished_at', 'desc')
      .executeTakeFirstOrThrow();
    const at = one(lines, 'lifeboat_backup_newest_verified_timestamp_seconds', { database: 'CustomerDB' });
    expect(at).toBeCloseTo(newest.finished_at!.getTime() / 1000, 2);
    expect(one(lines, 'lifeboat_backup_newest_verified_age_seconds', { database: 'CustomerDB' })).toBeGreaterThan(0);
    expect(one(lines, 'lifeboat_backup_last_size_bytes', { database: 'CustomerDB' })).toBe(newest.bytes);
    expect(one(lines, 'lifeboat_backup_last_duration_seconds', { database: 'CustomerDB' })).toBeCloseTo(
      (newest.finished_at!.getTime() - newest.started_at!.getTime()) / 1000,
      2,
    );
    expect(one(lines, 'lifeboat_backup_last_failed', { database: 'CustomerDB' })).toBe(0);
    expect(one(lines, 'lifeboat_backups', { database: 'CustomerDB', status: 'verified' })).toBe(1);

    const drill = await db
      .selectFrom('drills')
      .select(['status', 'finished_at', 'restore_ms'])
      .where('id', '=', drillId)
      .executeTakeFirstOrThrow();
    expect(drill.status).toBe('passed');
    expect(one(lines, 'lifeboat_drill_last_passed', { database: 'CustomerDB' })).toBe(1);
    expect(one(lines, 'lifeboat_drill_last_timestamp_seconds', { database: 'CustomerDB' })).toBeCloseTo(
      drill.finished_at!.getTime() / 1000,
      2,
    );
    expect(one(lines, 'lifeboat_drill_last_restore_duration_seconds', { database: 'CustomerDB' })).toBe(
      Number(drill.restore_ms) / 1000,
    );
    expect(one(lines, 'lifeboat_drills', { status: 'passed' })).toBe(1);
    expect(one(lines, 'lifeboat_schema_drift', { database: 'CustomerDB' })).toBe(1);

    // SLO breaches: every SLO of every configured database, 1 exactly where the store has it open
    const open = await db
      .selectFrom('slo_breaches')
      .select(['database', 'slo'])
      .where('closed_at', 'is', null)
      .execute();
    const breaches = lines.filter((l) => l.name === 'lifeboat_slo_breach' && l.labels.database === 'CustomerDB');
    expect(breaches.map((l) => l.labels.slo).sort()).toEqual([
      'backup_failing',
      'backup_freshness',
      'drill_freshness',
      'rpo',
    ]);
    for (const l of breaches)
      expect(l.value, l.labels.slo).toBe(
        open.some((b) => b.database === 'CustomerDB' && b.slo === l.labels.slo) ? 1 : 0,
      );

    // runs by status: every status, the store's counts
    const counts = await db.selectFrom('restore_runs').select(['status']).execute();
    const byStatus = lines.filter((l) => l.name === 'lifeboat_restore_runs');
    expect(byStatus).toHaveLength(15);
    for (const l of byStatus)
      expect(l.value, l.labels.status).toBe(counts.filter((c) => c.status === l.labels.status).length);
    expect(one(lines, 'lifeboat_restore_runs', { status: 'completed' })).toBe(1);
    expect(one(lines, 'lifeboat_restore_runs', { status: 'previewed' })).toBe(1);
    expect(one(lines, 'lifeboat_restore_queue_depth')).toBe(0);

    // the executed restore in the duration and start-delay histograms
    expect(one(lines, 'lifeboat_restore_duration_seconds_count', { database: 'CustomerDB' })).toBe(1);
    expect(one(lines, 'lifeboat_restore_duration_seconds_bucket', { database: 'CustomerDB', le: '+Inf' })).toBe(1);
    expect(one(lines, 'lifeboat_restore_duration_seconds_sum', { database: 'CustomerDB' })).toBeGreaterThan(0);
    expect(one(lines, 'lifeboat_restore_start_delay_seconds_count', { database: 'CustomerDB' })).toBe(1);

    // HTTP requests by route pattern
    expect(
      one(lines, 'lifeboat_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/v1/runs/:id',
        status_class: '2xx',
      }),
    ).toBe(2);
    expect(
      one(lines, 'lifeboat_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/databases/:name/schema/drift',
        status_class: '2xx',
      }),
    ).toBe(1);
    expect(
      one(lines, 'lifeboat_http_request_duration_seconds_count', { route: 'unmatched', status_class: '4xx' }),
    ).toBe(1);

    // default process metrics, in this server's own registry
    expect(lines.some((l) => l.name === 'process_cpu_seconds_total')).toBe(true);
    expect(lines.some((l) => l.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('keeps labels bounded: no run, drill or backup id, user or URL in a label value', async () => {
    const lines = parse(await (await scrape(`Bearer ${TOKEN}`)).text());
    const backups = await lb.store.db.selectFrom('backups').select('id').execute();
    const forbidden = new Set([
      ...runIds.map(String),
      String(drillId),
      ...backups.map((b) => b.id),
      ...Object.keys(lb.catalog.users),
      TOKEN,
    ]);
    const allowed = new Set([
      'database',
      'team',
      'status',
      'slo',
      'channel_type',
      'method',
      'route',
      'status_class',
      'version',
      'le',
    ]);
    const ours = lines.filter((l) => l.name.startsWith('lifeboat_'));
    expect(ours.length).toBeGreaterThan(50);
    for (const l of ours) {
      for (const [name, value] of Object.entries(l.labels)) {
        expect(allowed, `${l.name} label ${name}`).toContain(name);
        if (name === 'le') continue; // bucket bounds are numbers by design
        expect(forbidden.has(value), `${l.name}{${name}="${value}"}`).toBe(false);
        expect(value, `${l.name}{${name}}`).not.toMatch(/:\/\/|\?|@/);
        if (name === 'route') expect(value).toMatch(/^unmatched$|^(\/(\*|:[A-Za-z]+|[a-z][a-z0-9._-]*))+$/);
        if (name === 'database') expect(Object.keys(lb.catalog.databases)).toContain(value);
      }
    }
  });

  it('asks for the metrics token when one is configured: 401 without it or with another, 200 with it', async () => {
    for (const auth of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`, `Bearer ${await lb.token('dana')}`]) {
      const res = await scrape(auth);
      expect(res.status, String(auth)).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string; hint: string } };
      expect(body.error.code).toBe('unauthenticated');
      expect(body.error.hint).toContain('server.metrics_token');
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    }
    expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(200);
    // not part of the API's document
    const doc = (await (await fetch(`${lb.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });

  it('is scraped by a real Prometheus with the token', async () => {
    const prom = await startPrometheus([
      { name: 'lifeboat', target: lb.url, bearer: TOKEN },
      { name: 'lifeboat-wrong-token', target: lb.url, bearer: 'not-the-token' },
    ]);
    const up = await prom.waitFor('up{job="lifeboat"}', (r) => r.length === 1 && r[0]!.value[1] === '1');
    expect(up[0]!.metric.job).toBe('lifeboat');
    // the job with another token is scraped, and refused
    const refused = await prom.waitFor('up{job="lifeboat-wrong-token"}', (r) => r.length === 1);
    expect(refused[0]!.value[1]).toBe('0');
    expect(await prom.query('lifeboat_store_up{job="lifeboat-wrong-token"}')).toEqual([]);
    const drill = await prom.waitFor('lifeboat_drill_last_passed{database="CustomerDB"}', (r) => r.length === 1);
    expect(drill[0]!.value[1]).toBe('1');
    const age = await prom.query('lifeboat_backup_newest_verified_age_seconds{database="CustomerDB"}');
    expect(Number(age[0]!.value[1])).toBeGreaterThan(0);
    await prom.stop();
  });
});

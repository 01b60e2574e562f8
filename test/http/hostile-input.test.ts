// Bad input gets a 4xx, never a 500. Every route of the OpenAPI document, every path, query and
// body parameter, is sent a corpus of hostile values (NUL bytes, a megabyte, numbers in disguise,
// SQL, bidi controls, arrays where strings belong…) by a DBA admin, the most powerful role, while
// every other parameter holds a valid value, so that the hostile one is what reaches the code.
// Routes added later are covered without touching this file: it reads the OpenAPI document.
import { beforeAll, describe, expect, it } from 'vitest';
import { requestBackup } from '../../src/backup/service.js';
import { runBackup } from '../../src/backup/run-backup.js';
import { requestDrill } from '../../src/drills/request.js';
import { runDrill } from '../../src/drills/run-drill.js';
import { declareIncident } from '../../src/dr/declare.js';
import { silentLogger } from '../../src/lib/logger.js';
import { recordEvent } from '../../src/notify/events.js';
import { routePending } from '../../src/notify/outbox.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';
import { storeCluster } from '../harness/store.js';

const CONFIG = `version: 1
teams:
  team-alpha: { members: [jsmith], approvers: [alice], notify: [ops-hook] }
  team-beta: { members: [bert], approvers: [bob] }
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice: { email: alice@example.com, roles: [db-owner] }
  bert: { email: bert@example.com, roles: [developer] }
  bob: { email: bob@example.com, roles: [db-owner] }
  dana: { email: dana@example.com, roles: [dba-admin] }
servers:
  prod-pg01: { engine: postgres, tier: production, url: env:PROD_URL }
  dev-pg01: { engine: postgres, tier: development, url: env:DEV_URL }
storage:
  main: { type: filesystem, path: ./backups }
databases:
  TinyDB:
    server: prod-pg01
    name: tiny
    owner: team-alpha
    destinations: [dev-pg01]
    approvals: 0
    backup: { storage: main }
    drill: { target: dev-pg01 }
policy: { dba_admin_can_approve: true }
notifications:
  # nothing listens there: a test message is answered (not accepted), never a 5xx
  ops-hook: { type: webhook, url: env:HOOK_URL }
`;

const MB = 'x'.repeat(1024 * 1024);

/** Hostile strings, for every kind of parameter. */
const STRINGS: readonly string[] = [
  '',
  '\u0000',
  'a\u0000b',
  '\n',
  MB,
  '0x2',
  '-1',
  '1e3',
  '0',
  '01',
  '1.5',
  ' 1',
  '9'.repeat(40),
  `'"; drop table x; --`,
  '\u202Eevil\u202C',
  '😀',
  '\uD800',
  '../..',
  '%00',
  'true',
  'false',
  'null',
  '__proto__',
  '2024-02-31T00:00:00Z',
];

/** Bytes that are not UTF-8 (or not percent-encoding), sent as they are in paths and query strings. */
const RAW_URL: readonly string[] = ['%FF', '%ED%A0%80', '%zz', '%'];

/** Hostile JSON values for body fields (besides the strings). No `false`: see `baseline`. */
const JSON_VALUES: readonly unknown[] = [-1, 0, 1000, 1e308, 0.5, null, true, [], {}, [MB], { $gt: '' }];

interface Param {
  in: 'path' | 'query' | 'body';
  name: string;
  required: boolean;
  schema: JsonSchema;
}
interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
}
interface Operation {
  method: string;
  path: string;
  params: Param[];
  hasBody: boolean;
}

function operations(doc: {
  paths: Record<string, Record<string, { parameters?: Param[]; requestBody?: unknown }>>;
}): Operation[] {
  const ops: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      const params: Param[] = (op.parameters ?? []).map((p) => ({ ...p, required: p.required === true }));
      const body = (op.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined)?.content?.[
        'application/json'
      ]?.schema;
      for (const [name, schema] of Object.entries(body?.properties ?? {})) {
        params.push({ in: 'body', name, required: body?.required?.includes(name) ?? false, schema });
      }
      ops.push({ method: method.toUpperCase(), path, params, hasBody: body !== undefined });
    }
  }
  return ops;
}

interface Fixture {
  lb: TestLifeboat;
  headers: Record<string, string>;
  backupId: string;
  runId: number;
  /** An ended run of another user: the DBA admin's approval of it is refused for its status, not as a self-approval. */
  othersRunId: number;
  notificationId: number;
  /** A drill that has run, with its evidence pack. */
  drillId: number;
  /** TinyDB's accepted schema snapshot (so drift has a reference). */
  snapshotId: string;
  /** A declared disaster-recovery incident of TinyDB (planned, then executed, by the baselines). */
  incidentId: number;
}

/** A valid value for a parameter, so that a hostile value elsewhere is what the server sees. */
function baseline(f: Fixture, op: Operation, p: Param): unknown {
  if (p.in === 'path' && p.name === 'id') {
    if (/\/(approve|reject)$/.test(op.path)) return String(f.othersRunId);
    if (op.path.startsWith('/api/v1/drills')) return String(f.drillId);
    if (op.path.startsWith('/api/v1/incidents')) return String(f.incidentId);
    if (op.path.startsWith('/api/v1/schema/snapshots')) return f.snapshotId;
    if (op.path.startsWith('/api/v1/runs')) return String(f.runId);
    return op.path.startsWith('/api/v1/notifications') ? String(f.notificationId) : f.backupId;
  }
  const known: Record<string, unknown> = {
    database: 'TinyDB',
    name: 'TinyDB',
    to: 'dev-pg01/tiny_copy',
    // never a real restore or a real prune: a dry run, always
    execute: false,
    dryRun: true,
    limit: p.in === 'query' ? '5' : 5,
    channel: 'ops-hook',
    server: 'prod-pg01',
  };
  if (Object.hasOwn(known, p.name)) return known[p.name];
  // the two sides of a schema diff
  if (p.in === 'body' && (p.name === 'a' || p.name === 'b') && op.path === '/api/v1/schema/diff')
    return { kind: 'live', database: 'TinyDB' };
  const s = p.schema.anyOf?.[0] ?? p.schema;
  if (s.enum?.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'integer' || type === 'number') return p.in === 'body' ? (s.minimum ?? 1) : String(s.minimum ?? 1);
  if (type === 'boolean') return p.in === 'body' ? false : 'false';
  if (s.format === 'date-time') return new Date().toISOString();
  if (type === 'array') return [];
  if (type === 'object') return {};
  return 'x';
}

interface Sent {
  label: string;
  method: string;
  url: string;
  payload?: unknown;
}

/** A value as it goes into a URL: encoded, unless it is one of the deliberately broken RAW_URL ones. */
function inUrl(value: unknown, raw: boolean): string {
  const s = String(value);
  if (raw) return s;
  // a lone surrogate cannot be percent-encoded: what a broken client would send is its bytes
  return encodeURIComponent(s.replace(/\p{Cs}/gu, '\uFFFD')).replace(/%EF%BF%BD/g, '%ED%A0%80');
}

function request(
  f: Fixture,
  op: Operation,
  override?: { param: Param; value: unknown; repeat?: boolean; raw?: boolean },
): Sent {
  let path = op.path;
  const query: string[] = [];
  const body: Record<string, unknown> = {};
  for (const p of op.params) {
    const isOverride = override?.param === p;
    if (!isOverride && !p.required && !['execute', 'dryRun', 'limit'].includes(p.name)) continue;
    const value = isOverride ? override.value : baseline(f, op, p);
    const raw = isOverride && override.raw === true;
    if (p.in === 'path') path = path.replace(`{${p.name}}`, inUrl(value, raw));
    else if (p.in === 'query') {
      query.push(`${p.name}=${inUrl(value, raw)}`);
      if (isOverride && override.repeat) query.push(`${p.name}=${inUrl(value, raw)}`);
    } else body[p.name] = value;
  }
  const qs = query.join('&');
  const shown = override
    ? `${override.param.in} ${override.param.name}=${JSON.stringify(override.value)?.slice(0, 40)}${override.repeat ? ' (twice)' : ''}`
    : 'baseline';
  return {
    label: `${op.method} ${op.path} ${shown}`,
    method: op.method,
    url: qs ? `${path}?${qs}` : path,
    payload: op.hasBody ? body : undefined,
  };
}

async function setup(): Promise<Fixture> {
  const cluster = await storeCluster();
  const tiny = `tiny_${Math.random().toString(16).slice(2, 10)}`;
  await cluster.createDatabase(tiny);
  await cluster.query(tiny, 'create table t (id int primary key, note text); insert into t values (1, $$one$$)');
  const lb = await startTestLifeboat(
    CONFIG.replace('name: tiny', `name: ${tiny}`),
    { PROD_URL: cluster.url('postgres'), DEV_URL: cluster.url('postgres'), HOOK_URL: 'http://127.0.0.1:9/hook' },
    { worker: false },
  );
  const { id: backupId } = await requestBackup(lb.store.db, lb.queue, lb.catalog, {
    database: 'TinyDB',
    actor: 'test',
    trigger: 'manual',
  });
  expect(await runBackup({ db: lb.store.db, catalog: lb.catalog, logger: silentLogger() }, backupId)).toBe('verified');
  const headers = { authorization: `Bearer ${await lb.token('dana')}` };
  // a run that has ended: its event stream answers at once
  const dry = await lb.app.inject({
    method: 'POST',
    url: '/api/v1/runs',
    headers,
    payload: { database: 'TinyDB', to: 'dev-pg01/tiny_copy' },
  });
  expect(dry.statusCode, dry.body).toBe(201);
  const runId = dry.json().id as number;
  expect((await lb.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers })).statusCode).toBe(200);
  const others = await lb.app.inject({
    method: 'POST',
    url: '/api/v1/runs',
    headers: { authorization: `Bearer ${await lb.token('jsmith')}` },
    payload: { database: 'TinyDB', to: 'dev-pg01/tiny_copy' },
  });
  expect(others.statusCode, others.body).toBe(201);
  const othersRunId = others.json().id as number;
  expect((await lb.app.inject({ method: 'POST', url: `/api/v1/runs/${othersRunId}/cancel`, headers })).statusCode).toBe(
    200,
  );
  // a message in the outbox (no dispatcher delivers it here)
  await lb.store.db.transaction().execute((trx) =>
    recordEvent(trx, {
      type: 'backup.failed',
      data: { backup: backupId, database: 'TinyDB', server: 'prod-pg01', status: 'failed', reason: null, actor: 't' },
      subjectType: 'backup',
      subjectId: backupId,
    }),
  );
  await routePending(lb.store.db, lb.catalog, 'http://127.0.0.1');
  const notificationId = Number(
    (await lb.store.db.selectFrom('notifications').select('id').executeTakeFirstOrThrow()).id,
  );
  const { id: drillId } = await requestDrill(lb.store.db, lb.queue, lb.catalog, {
    database: 'TinyDB',
    actor: 'test',
    trigger: 'manual',
  });
  const drilled = await runDrill({ db: lb.store.db, catalog: lb.catalog, logger: silentLogger() }, drillId, {
    signal: new AbortController().signal,
    workerId: 'test',
  });
  expect(drilled).toBe('passed');
  const accepted = await lb.app.inject({
    method: 'POST',
    url: '/api/v1/databases/TinyDB/schema/accept',
    headers,
    payload: {},
  });
  expect(accepted.statusCode, accepted.body).toBe(200);
  const snapshotId = accepted.json().id as string;
  const { id: incidentId } = await declareIncident(lb.store.db, lb.catalog, { database: 'TinyDB', actor: 'dana' });
  return { lb, headers, backupId, runId, othersRunId, notificationId, drillId, snapshotId, incidentId };
}

describe('hostile input', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await setup();
  });
  const send = (method: 'GET' | 'POST', url: string, payload?: object) =>
    f.lb.app.inject({ method, url, headers: f.headers, ...(payload ? { payload } : {}) });

  it('answers every route and parameter of the OpenAPI document with a 4xx and a short error, never a 5xx', async () => {
    const doc = (await f.lb.app.inject({ url: '/api/openapi.json', headers: f.headers })).json();
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThanOrEqual(14);

    const sends: Sent[] = [];
    for (const op of ops) {
      sends.push(request(f, op));
      for (const param of op.params) {
        const values: unknown[] = param.in === 'body' ? [...STRINGS, ...JSON_VALUES] : [...STRINGS];
        for (const value of values) sends.push(request(f, op, { param, value }));
        if (param.in !== 'body') for (const value of RAW_URL) sends.push(request(f, op, { param, value, raw: true }));
        if (param.in === 'query') sends.push(request(f, op, { param, value: 'x', repeat: true }));
      }
    }

    const failures: string[] = [];
    // eight at a time: the corpus is large, each answer is quick
    let next = 0;
    const worker = async () => {
      for (let s = sends[next++]; s; s = sends[next++]) {
        // an answer that never comes is a failure too (an event stream of a run that never ends, say)
        const res = await f.lb.app
          .inject({
            method: s.method as 'GET',
            url: s.url,
            headers: f.headers,
            signal: AbortSignal.timeout(10_000),
            ...(s.payload === undefined ? {} : { payload: s.payload as object }),
          })
          .catch((err: Error) => err);
        const why =
          res instanceof Error
            ? `no answer: ${res.message}`
            : check(s, res.statusCode, String(res.headers['content-type']), res.body);
        if (why) failures.push(`${s.label}: ${why}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures).toEqual([]);
    expect(sends.length).toBeGreaterThan(1000);
  }, 120_000);

  it('reads a run id as a decimal number only', async () => {
    for (const id of ['0x2', '1e0', '+1', '01', ' 1', '-1', '0', '1.0', '99999999999999999']) {
      const res = await send('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
      expect(res.statusCode, id).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'invalid_request',
        message: 'invalid request: /id must be a run id: a positive decimal number',
        hint: 'see /api/openapi.json for the request schema',
      });
    }
    expect((await send('GET', `/api/v1/runs/${f.runId}`)).json().id).toBe(f.runId);
  });

  it('reads ?log= as true/1 or false/0 and refuses anything else', async () => {
    for (const [log, shown] of [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
    ] as const) {
      const run = await send('GET', `/api/v1/runs/${f.runId}?log=${log}`);
      expect(run.statusCode).toBe(200);
      expect('log' in run.json(), `run ?log=${log}`).toBe(shown);
      const backup = await send('GET', `/api/v1/backups/${f.backupId}?log=${log}`);
      expect(backup.statusCode).toBe(200);
      expect('log' in backup.json(), `backup ?log=${log}`).toBe(shown);
    }
    const res = await send('GET', `/api/v1/runs/${f.runId}?log=yes`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('invalid request: /log must be true or false (or 1 or 0)');
  });

  it('refuses a NUL byte in a justification, a database name, a backup id and a query with 400', async () => {
    const justification = await send('POST', '/api/v1/runs', {
      database: 'TinyDB',
      to: 'dev-pg01/tiny_copy',
      justification: 'ticket\u0000 42',
    });
    expect(justification.statusCode).toBe(400);
    expect(justification.json().error.message).toBe(
      'invalid request: /justification must not contain control characters (other than tabs and line breaks) or bidi controls',
    );
    const database = await send('POST', '/api/v1/backups', { database: 'Tiny\u0000DB' });
    expect(database.statusCode).toBe(400);
    expect(database.json().error.message).toBe(
      'invalid request: /database must be a database name as lifeboat.yaml defines them (a letter, then at most 62 letters, digits, _ . -)',
    );
    const backup = await send('GET', '/api/v1/backups/x%00y');
    expect(backup.statusCode).toBe(400);
    expect(backup.json().error.message).toBe('invalid request: /id must be a backup id such as 20240601T020000Z-1a2b');
    const query = await send('GET', '/api/v1/audit?actor=a%00b');
    expect(query.statusCode).toBe(400);
    expect(query.json().error.message).toBe('invalid request: /actor must not contain control or format characters');
  });

  it('never echoes a megabyte back', async () => {
    const destination = await send('POST', '/api/v1/runs', { database: 'TinyDB', to: `dev-pg01/${MB}` });
    expect(destination.statusCode).toBe(400);
    expect(destination.json().error.message).toBe(
      'invalid request: /to Too big: expected string to have <=128 characters',
    );
    const route = await send('GET', `/api/v1/nothing/${MB}`);
    expect(route.statusCode).toBe(404);
    expect(route.json().error.message).toBe(`no route GET /api/v1/nothing/${'x'.repeat(184)}…`);
    const param = await send('GET', `/api/v1/backups/${MB}`);
    expect(param.statusCode).toBe(400);
    expect(param.json().error.message).toBe(
      `the path /api/v1/backups/${'x'.repeat(184)}… has a parameter longer than any Lifeboat takes`,
    );
  });
});

/** Why an answer is wrong, or undefined when it is right. */
function check(s: Sent, status: number, contentType: string | undefined, body: string): string | undefined {
  if (s.label.endsWith(' baseline')) {
    // the fixture's servers have no pgbackrest: section, so a valid request about one is refused
    // with that reason (test/physical/cli.test.ts drives these routes with a real stanza)
    if (s.url.startsWith('/api/v1/physical/prod-pg01/') || s.url === '/api/v1/backups/as-at')
      return status === 400 && body.includes('has no physical backups') ? undefined : `answered ${status} ${body}`;
    // valid, so that a hostile value beside it is what is refused; 409: valid, but the run has ended;
    // 401 from the sign-in code exchange: a well-formed code, but none issued (codes are single-use);
    // 401 from the Alertmanager receiver: it takes dr.alertmanager_token, never a user's token
    return (status >= 200 && status < 300) ||
      status === 409 ||
      (status === 401 && (s.url === '/api/v1/session/exchange' || s.url === '/api/v1/alerts/alertmanager'))
      ? undefined
      : `the valid request answered ${status} ${body.slice(0, 300)}`;
  }
  if (status >= 500) return `${status} ${body.slice(0, 300)}`;
  if (status >= 200 && status < 300) {
    // a hostile value that happens to be valid is fine, as long as it is not echoed back whole
    return body.length > 100_000 ? `${status} with a ${body.length}-byte body` : undefined;
  }
  if (status < 400) return `answered ${status}`;
  if (!contentType?.startsWith('application/json')) return `${status} with content-type ${contentType}`;
  if (body.length > 4096) return `${status} with a ${body.length}-byte error body`;
  const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string' || error.message === '')
    return `${status} without an error code and message: ${body.slice(0, 300)}`;
  return undefined;
}

// The wizard, server-side and persisted (issue 14 item 1): a draft moves through source → scope
// → checks → preview with API calls, each step kept on the run; going back resets what follows;
// only the requester moves their run; no step can be skipped; and the one-shot request is the
// same steps, refusing before it writes anything.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDoc } from '../../src/contract/runs.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
let lb: TestLifeboat;
beforeAll(async () => {
  servers = await startFixtureServers();
  lb = await backedUp(servers, fixtureConfig());
});

type Answer = { status: number; body: RunDoc & { error?: { code: string; message: string; hint?: string } } };

const call = (user: string, method: string, path: string, body?: unknown): Promise<Answer> =>
  lb.api<Answer['body']>(user, method, path, body);

const refusal = (a: Answer) => [a.status, a.body.error?.code];

async function draft(dbname: string, user = 'jsmith'): Promise<RunDoc> {
  const d = await call(user, 'POST', '/api/v1/runs/draft', { database: 'CustomerDB', to: `dev-pg01/${dbname}` });
  expect(d.status).toBe(201);
  return d.body;
}

async function backupId(): Promise<string> {
  const b = await lb.store.db
    .selectFrom('backups')
    .select('id')
    .where('status', '=', 'verified')
    .executeTakeFirstOrThrow();
  return b.id;
}

describe('the wizard, step by step through the API', () => {
  it('keeps each step on the run, in order, and submits the very run it previewed', async () => {
    const d = await draft('wizard_steps');
    expect(d).toMatchObject({
      status: 'draft',
      source: { backupId: null },
      destination: { tier: 'development', identifier: 'dev-pg01/wizard_steps' },
      checks: [],
      preview: null,
    });
    const run = `/api/v1/runs/${d.id}`;
    // no step can be skipped: neither scope, checks, preview nor submit before the source
    expect(refusal(await call('jsmith', 'PUT', `${run}/scope`, { tables: 'all' }))).toEqual([
      409,
      'invalid_transition',
    ]);
    expect(refusal(await call('jsmith', 'POST', `${run}/checks`))).toEqual([409, 'invalid_transition']);
    expect(refusal(await call('jsmith', 'POST', `${run}/preview`))).toEqual([409, 'invalid_transition']);
    const early = await call('jsmith', 'POST', `${run}/submit`, {
      confirm: 'dev-pg01/wizard_steps',
      acknowledge: true,
    });
    expect(refusal(early)).toEqual([409, 'invalid_transition']);

    const source = await call('jsmith', 'PUT', `${run}/source`, { backupId: await backupId() });
    expect(source.status).toBe(200);
    expect(source.body).toMatchObject({ status: 'draft', source: { backupId: await backupId() } });
    // a table the backup does not have is refused with the tables it has
    const unknown = await call('jsmith', 'PUT', `${run}/scope`, { tables: ['public.nope'] });
    expect(refusal(unknown)).toEqual([400, 'invalid_request']);
    expect(unknown.body.error?.hint).toMatch(/public\.customers/);
    const scoped = await call('jsmith', 'PUT', `${run}/scope`, { tables: ['orders'] });
    expect(scoped.body).toMatchObject({ status: 'scoped', tables: ['public.orders'] });
    expect(refusal(await call('jsmith', 'POST', `${run}/preview`))).toEqual([409, 'invalid_transition']);
    const checked = await call('jsmith', 'POST', `${run}/checks`);
    expect(checked.body.status).toBe('checked');
    expect(checked.body.checks.length).toBeGreaterThan(0);
    for (const c of checked.body.checks) expect(['blocking', 'warning', 'safe']).toContain(c.severity);
    const listed = await call('jsmith', 'GET', `${run}/checks`);
    expect(listed.body).toEqual({ checks: checked.body.checks });
    const previewed = await call('jsmith', 'POST', `${run}/preview`);
    expect(previewed.body.status).toBe('previewed');
    expect(previewed.body.preview?.tables.map((t) => t.table)).toEqual(['public.orders']);

    // the same run goes on
    const submitted = await call('jsmith', 'POST', `${run}/submit`, {
      confirm: 'dev-pg01/wizard_steps',
      acknowledge: true,
    });
    expect(submitted.status).toBe(200);
    expect(['queued', 'running', 'completed']).toContain(submitted.body.status);
    // a run a worker has is not edited any more
    expect(refusal(await call('jsmith', 'PUT', `${run}/scope`, { tables: 'all' }))).toEqual([
      409,
      'invalid_transition',
    ]);
    const actions = await lb.store.db
      .selectFrom('audit_events')
      .select(['action', 'actor'])
      .where('subject_id', '=', String(d.id))
      .where('subject_type', '=', 'run')
      .orderBy('seq')
      .execute();
    expect(actions.slice(0, 7).map((a) => a.action)).toEqual([
      'restore.request',
      'restore.source',
      'restore.scope',
      'restore.check',
      'restore.preview',
      'restore.submit',
      'restore.enqueue',
    ]);
  });

  it('choosing the source or the scope again resets everything after it', async () => {
    const d = await draft('wizard_reset');
    const run = `/api/v1/runs/${d.id}`;
    await call('jsmith', 'PUT', `${run}/source`, { backupId: await backupId() });
    await call('jsmith', 'PUT', `${run}/scope`, { tables: 'all' });
    await call('jsmith', 'POST', `${run}/checks`);
    const previewed = await call('jsmith', 'POST', `${run}/preview`);
    expect(previewed.body.preview).not.toBeNull();

    const rescoped = await call('jsmith', 'PUT', `${run}/scope`, { tables: ['customers'] });
    expect(rescoped.body).toMatchObject({ status: 'scoped', checks: [], preview: null, tables: ['public.customers'] });
    await call('jsmith', 'POST', `${run}/checks`);
    await call('jsmith', 'POST', `${run}/preview`);
    const resourced = await call('jsmith', 'PUT', `${run}/source`, { at: new Date().toISOString() });
    expect(resourced.body).toMatchObject({ status: 'draft', checks: [], preview: null, tables: null });
    // the stored row says the same: no plan, no confirmation
    const row = await lb.store.db
      .selectFrom('restore_runs')
      .select(['plan_hash', 'confirmed_at', 'acknowledged_at', 'expires_at', 'created_at'])
      .where('id', '=', d.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ plan_hash: null, confirmed_at: null, acknowledged_at: null });
    // a dry run expires a week after it was made unless submitted (policy.dry_run_expires_after)
    expect(row.expires_at!.getTime() - row.created_at.getTime()).toBeGreaterThan(7 * 24 * 3_600_000 - 60_000);
  });

  it('only the requester moves a run, and a run that ended is not edited', async () => {
    const d = await draft('wizard_owner');
    const run = `/api/v1/runs/${d.id}`;
    const other = await call('alice', 'PUT', `${run}/source`, { backupId: await backupId() });
    expect(refusal(other)).toEqual([403, 'forbidden']);
    expect(other.body.error?.message).toBe(`run ${d.id} was requested by jsmith; only they can change it`);
    // the auditor reads the checks but moves nothing
    expect((await call('audrey', 'GET', `${run}/checks`)).status).toBe(200);
    expect(refusal(await call('audrey', 'POST', `${run}/checks`))).toEqual([403, 'read_only_role']);
    await call('jsmith', 'POST', `${run}/cancel`, {});
    const late = await call('jsmith', 'PUT', `${run}/source`, { backupId: await backupId() });
    expect(refusal(late)).toEqual([409, 'invalid_transition']);
    expect(late.body.error?.message).toBe(`run ${d.id} is cancelled: its source can no longer change`);
    // a source naming both a backup and a time is refused at the door
    const both = await call('jsmith', 'PUT', `/api/v1/runs/${(await draft('wizard_both')).id}/source`, {
      backupId: await backupId(),
      at: new Date().toISOString(),
    });
    expect(both.status).toBe(400);
  });
});

describe('an edit after submission', () => {
  it('sends the run back to the wizard and voids the approvals it had', async () => {
    const two = await backedUp(servers, fixtureConfig({ approvals: 2 }));
    const as = async (user: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${two.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${await two.token(user)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
      return (await res.json()) as RunDoc & { approvals: Array<{ approver: string; voidReason: string | null }> };
    };
    const dry = await as('jsmith', 'POST', '/api/v1/runs', { database: 'CustomerDB', to: 'dev-pg01/edited' });
    await as('jsmith', 'POST', `/api/v1/runs/${dry.id}/submit`, { confirm: 'dev-pg01/edited', acknowledge: true });
    const approved = await as('alice', 'POST', `/api/v1/runs/${dry.id}/approve`, { comment: 'fine' });
    expect(approved).toMatchObject({ status: 'pending_approval', approvalsReceived: 1 });
    const edited = await as('jsmith', 'PUT', `/api/v1/runs/${dry.id}/scope`, { tables: ['orders'] });
    expect(edited).toMatchObject({ status: 'scoped', approvalsReceived: 0, checks: [], preview: null });
    expect(edited.approvals).toEqual([expect.objectContaining({ approver: 'alice', voidReason: 'the scope changed' })]);
  });
});

describe('a blocking check', () => {
  it('is kept on the dry run, and the server refuses to submit it whatever is sent', async () => {
    // email is declared personal data but has no masking rule: a copy into development would leak it
    const leaky = await backedUp(
      servers,
      fixtureConfig({
        databaseExtra: `    masking:
      key: env:MASKING_KEY
      sensitive:
        - { table: public.customers, column: email }
      rules:
        - { table: public.customers, column: full_name, transform: name }`,
      }),
    );
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${leaky.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await leaky.token('jsmith')}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Answer['body'] };
    };
    const dry = await post('/api/v1/runs', { database: 'CustomerDB', to: 'dev-pg01/leaky' });
    expect(dry.status).toBe(201);
    const blocking = dry.body.checks.filter((c) => c.severity === 'blocking');
    expect(blocking.map((c) => c.code)).toEqual(['sensitive_unmasked']);
    expect(blocking[0]!.hint).toMatch(/masking/);
    const submit = await post(`/api/v1/runs/${dry.body.id}/submit`, { confirm: 'dev-pg01/leaky', acknowledge: true });
    expect(refusal(submit)).toEqual([422, 'blocked_by_check']);
    expect(submit.body.error?.message).toMatch(
      /^run \d+ has a blocking check: CustomerDB has sensitive columns without a masking rule: /,
    );
    // nor does the one-shot request get around it: its dry run stays, blocked
    const oneShot = await post('/api/v1/runs', {
      database: 'CustomerDB',
      to: 'dev-pg01/leaky',
      execute: true,
      acknowledge: true,
      confirm: 'dev-pg01/leaky',
    });
    expect(refusal(oneShot)).toEqual([422, 'blocked_by_check']);
    expect(oneShot.body.error?.message).toMatch(/\(run \d+ stays a dry run\)$/);
    const runs = await leaky.store.db.selectFrom('restore_runs').select('status').execute();
    expect(runs.map((r) => r.status)).toEqual(['previewed', 'previewed']);
    expect(await servers.dev.query('postgres', `select 1 from pg_database where datname = 'leaky'`)).toEqual([]);
  });
});

describe('the one-shot request is the same steps', () => {
  it('refuses execute without the acknowledgement or the identifier before writing anything', async () => {
    const before = await lb.store.db.selectFrom('restore_runs').select('id').orderBy('id').execute();
    const noAck = await call('jsmith', 'POST', '/api/v1/runs', {
      database: 'CustomerDB',
      to: 'dev-pg01/oneshot',
      execute: true,
      confirm: 'dev-pg01/oneshot',
    });
    expect(refusal(noAck)).toEqual([422, 'blocked_by_check']);
    const noConfirm = await call('jsmith', 'POST', '/api/v1/runs', {
      database: 'CustomerDB',
      to: 'dev-pg01/oneshot',
      execute: true,
      acknowledge: true,
    });
    expect(refusal(noConfirm)).toEqual([422, 'confirmation_mismatch']);
    expect(await lb.store.db.selectFrom('restore_runs').select('id').orderBy('id').execute()).toEqual(before);
  });

  it('restore request --execute prints the checks and preview, then submits that very run', async () => {
    const env = await lb.cliEnv('jsmith');
    const r = await lifeboat(
      [
        'restore',
        'request',
        'CustomerDB',
        '--to',
        'dev-pg01/oneshot_cli',
        '--execute',
        '--confirm',
        'dev-pg01/oneshot_cli',
        '--wait',
      ],
      { env },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const runs = await lb.store.db
      .selectFrom('restore_runs')
      .select(['id', 'status'])
      .where('destination_dbname', '=', 'oneshot_cli')
      .execute();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('completed');
    expect(r.stdout).toMatch(/^run \d+: previewed {2}CustomerDB → dev-pg01\/oneshot_cli/);
    expect(r.stdout).toMatch(/\nchecks: 0 blocking, 0 warnings, \d+ safe/);
    expect(r.stdout).toMatch(/\npreview: backup /);
    expect(r.stdout).toMatch(new RegExp(`\\nrun ${runs[0]!.id}: completed in `));
    const checks = await lifeboat(['restore', 'checks', String(runs[0]!.id)], { env });
    expect(checks.code).toBe(0);
    expect(checks.stdout).toMatch(
      /^checks:\n {2}safe {5}destination_not_allowed +dev-pg01 \(development\) is an allowed destination of CustomerDB\n/,
    );
  });
});

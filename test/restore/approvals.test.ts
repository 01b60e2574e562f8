// Approvals against real clusters, through the API and the real CLI (PRODUCT.md journey 1): a
// submitted run waits for the owning team's approvers; the requester, another team's approver and
// a dba-admin without the policy switch are refused; the approval that counts releases the run,
// which completes. An approval is bound to the plan: a plan changed by a config reload voids it
// (and the worker voids a queued run's approvals the same way). Runs expire; a rejection ends a
// run with its comment kept.
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { principalFor } from '../../src/access/principal.js';
import { backupsInUse } from '../../src/backup/in-use.js';
import type { RunDoc } from '../../src/contract/runs.js';
import { silentLogger } from '../../src/lib/logger.js';
import { approveRun, rejectRun } from '../../src/restore/approve.js';
import { runRestore } from '../../src/restore/run-restore.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

// carol approves for another team; dave is a developer of team-alpha who did not request the run
const OTHERS = {
  teamsExtra: '  team-beta:\n    members: [carol]\n    approvers: [carol]',
  usersExtra:
    '  carol:  { email: carol@example.com,  roles: [db-owner] }\n  dave:   { email: dave@example.com,   roles: [developer] }',
};

type Answer = RunDoc & { error?: { code: string; message: string; hint?: string }; runs: RunDoc[] };

async function api(lb: TestLifeboat, user: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (user) headers.authorization = `Bearer ${await lb.token(user)}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${lb.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

/** jsmith's dry run into dev-pg01/`dbname`, submitted: waiting for approvals. */
async function submitted(lb: TestLifeboat, dbname: string, extra: Record<string, unknown> = {}): Promise<RunDoc> {
  const dry = await api(lb, 'jsmith', 'POST', '/api/v1/runs', {
    database: 'CustomerDB',
    to: `dev-pg01/${dbname}`,
    ...extra,
  });
  expect(dry.status).toBe(201);
  const sub = await api(lb, 'jsmith', 'POST', `/api/v1/runs/${dry.body.id}/submit`, {
    confirm: `dev-pg01/${dbname}`,
    acknowledge: true,
  });
  expect([sub.status, sub.body.status]).toEqual([200, 'pending_approval']);
  return sub.body;
}

async function statusOf(lb: TestLifeboat, id: number): Promise<string> {
  const r = await lb.store.db
    .selectFrom('restore_runs')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return r.status;
}

async function waitForStatus(lb: TestLifeboat, id: number, status: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await statusOf(lb, id);
    if (s === status) return;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${s}, never became ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function auditOf(lb: TestLifeboat, id: number) {
  return lb.store.db
    .selectFrom('audit_events')
    .select(['action', 'actor', 'details'])
    .where('subject_type', '=', 'run')
    .where('subject_id', '=', String(id))
    .orderBy('seq')
    .execute();
}

describe('journey 1: a team approver approves, the run completes', () => {
  it('refuses the requester, another team, a dba-admin without the switch and read-only roles; the approval releases the run', async () => {
    const lb = await backedUp(servers, fixtureConfig({ approvals: 1, ...OTHERS }));
    const jsmith = await lb.cliEnv('jsmith');
    const dry = await lifeboat(['restore', 'request', 'CustomerDB', '--to', 'dev-pg01/approved_copy', '--json'], {
      env: jsmith,
    });
    const id = (JSON.parse(dry.stdout) as RunDoc).id;
    const sub = await lifeboat(['restore', 'submit', String(id), '--confirm', 'dev-pg01/approved_copy', '--json'], {
      env: jsmith,
    });
    expect(sub.code).toBe(0);
    const run = JSON.parse(sub.stdout) as RunDoc;
    expect(run).toMatchObject({
      status: 'pending_approval',
      approvalsRequired: 1,
      approvalsReceived: 0,
      approvalsMissing: 1,
      ownerTeam: 'team-alpha',
      approvers: ['alice', 'bob'],
      approvals: [],
      approvedAt: null,
    });
    expect(run.planHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    // approval_expires_after defaults to 24 hours from the submission
    expect(Date.parse(run.expiresAt!) - Date.parse(run.submittedAt!)).toBe(24 * 3600_000);

    const approve = `/api/v1/runs/${id}/approve`;
    const refusals: [string | null, number, string, string][] = [
      ['jsmith', 403, 'self_approval', `unable to restore approve: jsmith may not approve a run they requested`],
      [
        'carol',
        403,
        'not_team_member',
        'unable to restore approve: carol is not in team team-alpha, which owns CustomerDB (restore.approve)',
      ],
      [
        'dana',
        403,
        'override_disabled',
        'unable to restore approve: dana may approve only through the DBA-admin override, which is off (restore.approve on CustomerDB)',
      ],
      [
        'dave',
        403,
        'not_approver',
        'unable to restore approve: dave is not an approver of team team-alpha (restore.approve on CustomerDB)',
      ],
      [
        'audrey',
        403,
        'read_only_role',
        'unable to restore approve: audrey has read-only access (restore.approve on CustomerDB)',
      ],
      [
        'rita',
        403,
        'role_not_allowed',
        "unable to restore approve: rita's roles (recovery-operator) do not allow restore.approve on CustomerDB",
      ],
      [null, 401, 'unauthenticated', 'this API needs a bearer token'],
    ];
    for (const path of [approve, `/api/v1/runs/${id}/reject`]) {
      for (const [user, status, code, message] of refusals) {
        const r = await api(lb, user, 'POST', path, { comment: 'no' });
        expect([r.status, r.body.error?.code], `${user} ${path}`).toEqual([status, code]);
        if (user) expect(r.body.error?.message).toBe(message);
      }
    }
    // the CLI says the same, with exit 3
    const own = await lifeboat(['restore', 'approve', String(id)], { env: jsmith });
    expect(own.code).toBe(3);
    expect(own.stderr).toBe(
      'lifeboat: unable to restore approve: jsmith may not approve a run they requested\nHINT: another approver of the owning team must approve it\n',
    );
    // every denial is audited, and nothing moved
    const denied = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor'])
      .where('action', '=', 'restore.approve')
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.map((d) => d.actor).sort()).toEqual([
      'audrey',
      'audrey',
      'carol',
      'carol',
      'dana',
      'dana',
      'dave',
      'dave',
      'jsmith',
      'jsmith',
      'jsmith',
      'rita',
      'rita',
    ]);
    expect(await statusOf(lb, id)).toBe('pending_approval');

    // the inbox: alice and bob see the run, the requester and another team do not
    const inbox = async (user: string) => {
      const r = await lifeboat(['restore', 'list', '--awaiting-me', '--json'], { env: await lb.cliEnv(user) });
      return (JSON.parse(r.stdout) as { runs: RunDoc[] }).runs.map((x) => x.id);
    };
    expect(await inbox('alice')).toEqual([id]);
    expect(await inbox('bob')).toEqual([id]);
    expect(await inbox('jsmith')).toEqual([]);
    expect(await inbox('carol')).toEqual([]);
    expect(await inbox('dana')).toEqual([]); // the override is off
    const empty = await lifeboat(['restore', 'list', '--awaiting-me'], { env: jsmith });
    expect(empty.stdout).toBe('no runs awaiting your approval\n');
    const listed = await lifeboat(['restore', 'list', '--awaiting-me'], { env: await lb.cliEnv('alice') });
    expect(listed.stdout).toMatch(
      new RegExp(`^ +${id}  pending_approval +CustomerDB → dev-pg01/approved_copy  jsmith  \\S+  approvals 0 of 1\n$`),
    );
    const shown = await lifeboat(['restore', 'show', String(id)], { env: jsmith });
    expect(shown.stdout).toContain(
      `approvals: 0 of 1\n  needs 1 more approval from team-alpha's approvers: alice, bob\n  expires at ${run.expiresAt} unless approved\n`,
    );

    // alice is shown the plan, approves it; the run is released and completes
    const ok = await lifeboat(['restore', 'approve', String(id), '--comment', 'checked with jsmith'], {
      env: await lb.cliEnv('alice'),
    });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('checks: 0 blocking, 0 warnings, 17 safe');
    expect(ok.stdout).toContain(`\nplan ${run.planHash}\n`);
    expect(ok.stdout).toMatch(
      new RegExp(`run ${id} approved by you: (queued|running|completed) \\(1 of 1 approvals\\)\\n$`),
    );
    await waitForStatus(lb, id, 'completed');
    const done = (await api(lb, 'jsmith', 'GET', `/api/v1/runs/${id}`)).body;
    expect(done.approvals).toEqual([
      {
        approver: 'alice',
        decision: 'approve',
        comment: 'checked with jsmith',
        override: false,
        at: expect.any(String),
        counts: true,
        voidedAt: null,
        voidReason: null,
      },
    ]);
    expect(done).toMatchObject({ approvalsReceived: 1, approvalsMissing: 0, expiresAt: null });
    expect(done.approvedAt).not.toBeNull();
    const shownDone = await lifeboat(['restore', 'show', String(id)], { env: jsmith });
    expect(shownDone.stdout).toMatch(/approvals: 1 of 1\n {2}alice approved at \S+: "checked with jsmith"\n/);

    // the run has ended: approving it again is refused
    const late = await api(lb, 'bob', 'POST', approve, {});
    expect([late.status, late.body.error?.code, late.body.error?.message]).toEqual([
      409,
      'invalid_transition',
      `unable to approve run ${id}: it is completed, not waiting for approvals`,
    ]);
    const audit = await auditOf(lb, id);
    expect(audit.map((a) => a.action)).toEqual([
      'restore.request',
      'restore.source',
      'restore.scope',
      'restore.check',
      'restore.preview',
      'restore.submit',
      'restore.approve',
      'restore.enqueue',
      'restore.start',
      'restore.complete',
    ]);
    expect(audit[6]).toEqual({
      action: 'restore.approve',
      actor: 'alice',
      details: {
        from: 'pending_approval',
        to: 'approved',
        approver: 'alice',
        comment: 'checked with jsmith',
        override: false,
        role: 'db-owner',
        planHash: run.planHash,
        approvalsReceived: 1,
        approvalsRequired: 1,
      },
    });
  });
});

const MASKING = (fullName: string) => `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.customers, column: email, transform: token }
        - { table: public.customers, column: full_name, transform: ${fullName} }`;

describe('two approvals, the dba-admin override, and a plan that changes', () => {
  it('a dba-admin approves as an override with the switch on; the same approver twice is refused; a reload that changes the masking voids the approval', async () => {
    const config = (fullName: string) =>
      fixtureConfig({
        approvals: 2,
        databaseExtra: MASKING(fullName),
        extra: 'policy: { dba_admin_can_approve: true }',
      });
    const lb = await backedUp(servers, config('name'));
    const run = await submitted(lb, 'twice', { startAt: new Date(Date.now() + 3600_000).toISOString() });
    const approve = `/api/v1/runs/${run.id}/approve`;

    // the override is in the inbox of dana, and recorded as such
    const inbox = await api(lb, 'dana', 'GET', '/api/v1/runs?awaitingMe=true');
    expect(inbox.body.runs.map((r: RunDoc) => r.id)).toEqual([run.id]);
    const byDana = await api(lb, 'dana', 'POST', approve, { comment: 'on call', planHash: run.planHash });
    expect(byDana.status).toBe(200);
    expect(byDana.body).toMatchObject({ status: 'pending_approval', approvalsReceived: 1, approvalsMissing: 1 });
    expect(byDana.body.approvals).toMatchObject([{ approver: 'dana', override: true, counts: true }]);
    expect((await api(lb, 'dana', 'GET', '/api/v1/runs?awaitingMe=true')).body.runs).toEqual([]);
    const again = await api(lb, 'dana', 'POST', approve, {});
    expect([again.status, again.body.error?.code, again.body.error?.message]).toEqual([
      409,
      'conflict',
      `dana has already approved run ${run.id}`,
    ]);
    const shown = await lifeboat(['restore', 'show', String(run.id)], { env: await lb.cliEnv('jsmith') });
    expect(shown.stdout).toMatch(
      /approvals: 1 of 2\n {2}dana approved at \S+ \(dba-admin override\): "on call"\n {2}needs 1 more approval from team-alpha's approvers: alice, bob\n/,
    );

    // the masking of full_name changes: the plan is another one
    writeFileSync(lb.configFile, config('redact'));
    const reload = await api(lb, 'dana', 'POST', '/api/v1/config/reload');
    expect([reload.status, (reload.body as unknown as { changed: boolean }).changed]).toEqual([200, true]);
    // bob read the run before the change: his approval is refused, and dana's no longer counts
    const stale = await api(lb, 'bob', 'POST', approve, { planHash: run.planHash });
    expect([stale.status, stale.body.error?.code, stale.body.error?.message, stale.body.error?.hint]).toEqual([
      409,
      'conflict',
      `unable to approve run ${run.id}: the plan changed since you read it`,
      `read it again with \`lifeboat restore show ${run.id}\`, then approve what it shows`,
    ]);
    const now = (await api(lb, 'bob', 'GET', `/api/v1/runs/${run.id}`)).body;
    expect(now.planHash).not.toBe(run.planHash);
    expect(now).toMatchObject({ status: 'pending_approval', approvalsReceived: 0, approvalsMissing: 2 });
    expect(now.approvals).toMatchObject([
      { approver: 'dana', counts: false, voidReason: 'the plan changed after this approval' },
    ]);
    expect(now.approvals[0]!.voidedAt).not.toBeNull();
    const voidShown = await lifeboat(['restore', 'show', String(run.id)], { env: await lb.cliEnv('jsmith') });
    expect(voidShown.stdout).toMatch(
      /approvals: 0 of 2\n {2}dana approved at \S+ \(dba-admin override\): "on call" {2}VOID since \S+: the plan changed after this approval\n {2}needs 2 more approvals from team-alpha's approvers: alice, bob\n/,
    );
    // the override is in dana's inbox again; she approves the new plan, bob too: the run is scheduled
    expect((await api(lb, 'dana', 'GET', '/api/v1/runs?awaitingMe=true')).body.runs.map((r: RunDoc) => r.id)).toEqual([
      run.id,
    ]);
    expect((await api(lb, 'dana', 'POST', approve, { planHash: now.planHash })).status).toBe(200);
    const last = await lifeboat(['restore', 'approve', String(run.id)], { env: await lb.cliEnv('bob') });
    expect(last.stderr).toBe('');
    expect(last.stdout).toMatch(new RegExp(`run ${run.id} approved by you: scheduled \\(2 of 2 approvals\\)\\n$`));

    const audit = await auditOf(lb, run.id);
    expect(audit.map((a) => `${a.action} ${a.actor}`)).toEqual([
      'restore.request jsmith',
      'restore.source jsmith',
      'restore.scope jsmith',
      'restore.check jsmith',
      'restore.preview jsmith',
      'restore.submit jsmith',
      'restore.approve dana',
      'restore.void lifeboat',
      'restore.approve dana',
      'restore.approve bob',
      'restore.schedule bob',
    ]);
    expect(audit[6]!.details).toMatchObject({
      override: true,
      role: 'dba-admin',
      approvalsReceived: 1,
      approvalsRequired: 2,
    });
    expect(audit[7]!.details).toEqual({
      from: 'pending_approval',
      to: 'pending_approval',
      reason: 'the plan changed after this approval',
      previousPlanHash: run.planHash,
      planHash: now.planHash,
      voided: ['dana'],
    });

    // the plan changes again while the run is scheduled: when it comes due, the worker looks at
    // the plan once more before it starts, voids both approvals and does not start it
    writeFileSync(lb.configFile, config('token'));
    expect((await api(lb, 'dana', 'POST', '/api/v1/config/reload')).status).toBe(200);
    const outcome = await runRestore(
      { db: lb.store.db, queue: lb.queue, catalog: lb.catalog, logger: silentLogger() },
      run.id,
      { signal: new AbortController().signal, workerId: 'test' },
    );
    expect(outcome).toBe('skipped');
    const back = (await api(lb, 'jsmith', 'GET', `/api/v1/runs/${run.id}`)).body;
    expect(back).toMatchObject({ status: 'pending_approval', approvalsReceived: 0, approvedAt: null });
    expect(back.approvals.map((a) => [a.approver, a.counts, a.voidReason])).toEqual([
      ['dana', false, 'the plan changed after this approval'],
      ['dana', false, 'the plan changed after this approval'],
      ['bob', false, 'the plan changed after this approval'],
    ]);
    const tail = (await auditOf(lb, run.id)).slice(-2);
    expect(tail.map((a) => [a.action, a.actor, (a.details as { from: string }).from])).toEqual([
      ['restore.enqueue', 'scheduler', 'scheduled'],
      ['restore.void', 'worker', 'queued'],
    ]);
  });
});

describe('expiry and rejection', () => {
  it('a rejection ends the run with its comment; a run nobody approves expires and no longer pins its backup', async () => {
    const lb = await backedUp(
      servers,
      fixtureConfig({ approvals: 1, extra: 'policy: { approval_expires_after: 3s }' }),
    );
    const rejected = await submitted(lb, 'rejected');
    const reject = `/api/v1/runs/${rejected.id}/reject`;
    const blank = await api(lb, 'alice', 'POST', reject, { comment: '  ' });
    expect([blank.status, blank.body.error?.code, blank.body.error?.message, blank.body.error?.hint]).toEqual([
      400,
      'invalid_request',
      `unable to reject run ${rejected.id}: a rejection needs a comment`,
      `say why, for the requester and the audit trail: \`lifeboat restore reject ${rejected.id} --comment "…"\``,
    ]);
    expect((await api(lb, 'alice', 'POST', reject, {})).status).toBe(400);
    const r = await lifeboat(['restore', 'reject', String(rejected.id), '--comment', 'not during the freeze'], {
      env: await lb.cliEnv('alice'),
    });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `run ${rejected.id} rejected\n`, '']);
    const doc = (await api(lb, 'jsmith', 'GET', `/api/v1/runs/${rejected.id}`)).body;
    expect(doc.status).toBe('rejected');
    expect(doc.finishedAt).not.toBeNull();
    expect(doc.approvals).toMatchObject([
      { approver: 'alice', decision: 'reject', comment: 'not during the freeze', override: false, counts: false },
    ]);
    const rejectEvent = (await auditOf(lb, rejected.id)).at(-1);
    expect(rejectEvent).toMatchObject({
      action: 'restore.reject',
      actor: 'alice',
      details: { from: 'pending_approval', to: 'rejected', comment: 'not during the freeze', override: false },
    });
    const shown = await lifeboat(['restore', 'show', String(rejected.id)], { env: await lb.cliEnv('jsmith') });
    expect(shown.stdout).toMatch(/approvals: 0 of 1\n {2}alice rejected at \S+: "not during the freeze"\n/);
    expect((await api(lb, 'bob', 'POST', reject, { comment: 'me too' })).status).toBe(409);

    // nobody approves the next one within 3 seconds: the sweep expires it
    const waiting = await submitted(lb, 'expiring');
    expect(Date.parse(waiting.expiresAt!) - Date.parse(waiting.submittedAt!)).toBe(3000);
    expect(await backupsInUse(lb.store.db)).toEqual(new Set([waiting.source.backupId]));
    await waitForStatus(lb, waiting.id, 'expired', 15_000);
    expect((await auditOf(lb, waiting.id)).at(-1)).toEqual({
      action: 'restore.expire',
      actor: 'lifeboat',
      details: { from: 'pending_approval', to: 'expired', expiresAt: waiting.expiresAt },
    });
    // an ended run pins nothing: its backup may be pruned
    expect(await backupsInUse(lb.store.db)).toEqual(new Set());
    // a dry run never submitted expires too, once its expiry (set by the wizard) has come
    const dry = await api(lb, 'jsmith', 'POST', '/api/v1/runs', { database: 'CustomerDB', to: 'dev-pg01/never' });
    expect(dry.body.status).toBe('previewed');
    await lb.store.db
      .updateTable('restore_runs')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', dry.body.id)
      .execute();
    await waitForStatus(lb, dry.body.id, 'expired', 15_000);
    expect((await auditOf(lb, dry.body.id)).at(-1)).toMatchObject({
      action: 'restore.expire',
      actor: 'lifeboat',
      details: { from: 'previewed', to: 'expired' },
    });
    const late = await api(lb, 'alice', 'POST', `/api/v1/runs/${waiting.id}/approve`, {});
    expect([late.status, late.body.error?.code]).toEqual([409, 'invalid_transition']);
    expect((await api(lb, 'alice', 'GET', '/api/v1/runs?awaitingMe=true')).body.runs).toEqual([]);
  });

  it('the module refuses by itself; approving a run whose expiry has come expires it and answers 409', async () => {
    // no reaper in this Lifeboat: only the approval can notice the expiry
    const lb = await backedUp(servers, fixtureConfig({ approvals: 1 }), { staleAfterMs: 3_600_000 });
    const run = await submitted(lb, 'too_late');
    // the module refuses by itself, whoever calls it (not only behind the route's authorize)
    const deps = { db: lb.store.db, queue: lb.queue, catalog: lb.catalog };
    for (const [user, code] of [
      ['jsmith', 'self_approval'],
      ['dana', 'override_disabled'],
      ['audrey', 'read_only_role'],
    ] as const) {
      const who = principalFor(lb.catalog, user, 'test')!;
      await expect(approveRun(deps, who, run.id, {}, null)).rejects.toMatchObject({ code });
      await expect(rejectRun(deps, who, run.id, { comment: 'no' }, null)).rejects.toMatchObject({ code });
    }
    expect(await statusOf(lb, run.id)).toBe('pending_approval');
    const past = new Date(Date.now() - 1000);
    await lb.store.db.updateTable('restore_runs').set({ expires_at: past }).where('id', '=', run.id).execute();
    const r = await api(lb, 'alice', 'POST', `/api/v1/runs/${run.id}/approve`, {});
    expect([r.status, r.body.error?.code, r.body.error?.message]).toEqual([
      409,
      'invalid_transition',
      `run ${run.id} expired at ${past.toISOString()}`,
    ]);
    expect(await statusOf(lb, run.id)).toBe('expired');
    expect((await auditOf(lb, run.id)).at(-1)).toEqual({
      action: 'restore.expire',
      actor: 'lifeboat',
      details: { from: 'pending_approval', to: 'expired', expiresAt: past.toISOString(), noticedBy: 'alice' },
    });
    expect(await lb.store.db.selectFrom('restore_approvals').selectAll().execute()).toEqual([]);
  });
});

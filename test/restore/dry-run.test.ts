// A dry run through the real CLI, without --json: it prints what it checked and, per table, what
// the restore would write — the same facts as the --json document.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDoc } from '../../src/contract/runs.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

const MASKING = `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.customers, column: email, transform: token }
        - { table: public.customers, column: full_name, transform: name }`;

describe('restore request without --execute, in text', () => {
  it('prints the checks and a per-table preview with the masking plan', async () => {
    const lb = await backedUp(servers, fixtureConfig({ databaseExtra: MASKING }));
    const env = await lb.cliEnv('jsmith');
    const r = await lifeboat(['restore', 'request', 'CustomerDB', '--to', 'dev-pg01/dry_text'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const run = JSON.parse((await lifeboat(['restore', 'show', '1', '--json'], { env })).stdout) as RunDoc;
    expect(run.status).toBe('previewed');
    // (the size window of the duration estimate follows the backup's size, a few bytes either way)
    expect(r.stdout.replace(/of a similar size \([^)]*\)\)/, 'of a similar size (…))')).toBe(
      [
        'run 1: previewed  CustomerDB → dev-pg01/dry_text (development)',
        `  backup ${run.source.backupId}, requested by jsmith`,
        'checks: 0 blocking, 0 warnings, 17 safe (`lifeboat restore checks 1` lists them all)',
        `preview: backup ${run.source.backupId}, taken ${run.preview!.backupTakenAt}`,
        '  table             rows in backup  rows in destination  masking',
        '  Sales Dept.Order           1,358               absent  -',
        '  public.customers             500               absent  email: token, full_name: name',
        '  public.orders              1,358               absent  -',
        '  schema: the destination database does not exist: the restore creates it',
        '  masking: 2 masking rule(s) applied in the stream',
        '  estimated duration: unknown (no history: no past restore to dev-pg01 of a similar size (…))',
        '  dry run: to execute this very run, `lifeboat restore submit 1 --confirm "dev-pg01/dry_text"` (or repeat the request with --execute --confirm)',
        '',
      ].join('\n'),
    );
  });
});

describe('restore request --at on a server without physical backups', () => {
  it('takes the newest backup taken at or before it; nothing is prepared, nothing said on stderr', async () => {
    const lb = await backedUp(servers, fixtureConfig());
    const env = await lb.cliEnv('jsmith');
    const at = new Date().toISOString();
    const r = await lifeboat(['restore', 'request', 'CustomerDB', '--to', 'dev-pg01/dry_at', '--at', at, '--json'], {
      env,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as RunDoc;
    const newest = await lb.store.db
      .selectFrom('backups')
      .select('id')
      .where('status', '=', 'verified')
      .orderBy('finished_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(run.source).toMatchObject({ backupId: newest.id });
    expect(await lb.store.db.selectFrom('backups').select('id').where('trigger', '=', 'pitr').execute()).toEqual([]);
  });
});

describe('restore submit: the very run that was previewed goes on', () => {
  async function post(lb: Awaited<ReturnType<typeof backedUp>>, user: string, path: string, body: unknown) {
    const res = await fetch(`${lb.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await lb.token(user)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } & RunDoc };
  }

  it('the server refuses every way around a gate, then submits the same run, which completes', async () => {
    const lb = await backedUp(servers, fixtureConfig());
    const env = await lb.cliEnv('jsmith');
    const dry = await lifeboat(['restore', 'request', 'CustomerDB', '--to', 'dev-pg01/submitted', '--json'], { env });
    const run = JSON.parse(dry.stdout) as RunDoc;
    expect(run.status).toBe('previewed');
    const submit = `/api/v1/runs/${run.id}/submit`;

    // not the requester (a db-owner of the team may request restores, but not submit another's run)
    const other = await post(lb, 'alice', submit, { confirm: 'dev-pg01/submitted', acknowledge: true });
    expect([other.status, other.body.error?.code, other.body.error?.message]).toEqual([
      403,
      'forbidden',
      `run ${run.id} was requested by jsmith; only they can submit it`,
    ]);
    // without the acknowledgement
    const noAck = await post(lb, 'jsmith', submit, { confirm: 'dev-pg01/submitted', acknowledge: false });
    expect([noAck.status, noAck.body.error?.code]).toEqual([422, 'blocked_by_check']);
    // a wrong identifier
    const wrong = await post(lb, 'jsmith', submit, { confirm: 'dev-pg01/customer', acknowledge: true });
    expect([wrong.status, wrong.body.error?.code, wrong.body.error?.message]).toEqual([
      422,
      'confirmation_mismatch',
      'the confirmation "dev-pg01/customer" does not match the destination dev-pg01/submitted',
    ]);
    // no identifier at all is a bad request
    expect((await post(lb, 'jsmith', submit, { acknowledge: true })).status).toBe(400);
    // nothing moved
    const still = JSON.parse((await lifeboat(['restore', 'show', String(run.id), '--json'], { env })).stdout) as RunDoc;
    expect(still.status).toBe('previewed');

    // the CLI prints the checks and the preview, then submits and follows the run to its end
    const r = await lifeboat(['restore', 'submit', String(run.id), '--confirm', 'dev-pg01/submitted', '--wait'], {
      env,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('checks: 0 blocking, 0 warnings, 17 safe');
    expect(r.stdout).toContain(`run ${run.id}: completed`);
    const runs = JSON.parse((await lifeboat(['restore', 'list', '--json'], { env })).stdout) as { runs: RunDoc[] };
    expect(runs.runs.map((x) => [x.id, x.status])).toEqual([[run.id, 'completed']]);

    // submitted once: a second submit is refused, as is one of a run that has ended
    const again = await post(lb, 'jsmith', submit, { confirm: 'dev-pg01/submitted', acknowledge: true });
    expect([again.status, again.body.error?.code, again.body.error?.message]).toEqual([
      409,
      'invalid_transition',
      `run ${run.id} is completed: only a previewed dry run can be submitted`,
    ]);
    const actions = await lb.store.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', String(run.id))
      .orderBy('seq')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'restore.request',
      'restore.source',
      'restore.scope',
      'restore.check',
      'restore.preview',
      'restore.submit',
      'restore.enqueue',
      'restore.start',
      'restore.complete',
    ]);
  });
});

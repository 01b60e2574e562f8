// PRODUCT.md journey 5, an emergency rollback of production, against real clusters through the
// real CLI: a bad change hits prod-pg01/customer; jsmith requests the last good backup back into
// production; the checks say it is production; it needs the typed `RESTORE CustomerDB` and two
// approvals of the owning team (one is not enough, whatever `approvals:` says); it is restored
// unmasked; the copy it replaced is always kept (whatever keep_previous says); and
// `restore undo` puts that copy back.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDoc } from '../../src/contract/runs.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers, tableContents } from '../harness/fixtures.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

const MASKING = `    keep_previous: 1m
    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.customers, column: email, transform: token }`;

describe('journey 5: a production rollback', () => {
  it('needs RESTORE <database> and two approvals, restores unmasked, always keeps the replaced copy, and undoes', async () => {
    // approvals: 1 in the file; production asks for two all the same
    const lb = await backedUp(
      servers,
      fixtureConfig({ databaseExtra: MASKING, approvals: 1 }).replace(
        'destinations: [dev-pg01]',
        'destinations: [dev-pg01, prod-pg01]',
      ),
    );
    const good = await tableContents(servers.prod, 'customer');
    // the bad change
    await servers.prod.query(
      'customer',
      `delete from orders where id % 2 = 0; update customers set email = 'lost-' || id || '@example.com'`,
    );
    const bad = await tableContents(servers.prod, 'customer');
    expect(bad).not.toEqual(good);

    const jsmith = await lifeboat(['restore', 'request', 'CustomerDB', '--to', 'prod-pg01', '--json'], {
      env: await lb.cliEnv('jsmith'),
    });
    expect(jsmith.code).toBe(0);
    const dry = JSON.parse(jsmith.stdout) as RunDoc;
    expect(dry).toMatchObject({
      status: 'previewed',
      approvalsRequired: 2,
      destination: { tier: 'production', identifier: 'RESTORE CustomerDB', target: 'prod-pg01/customer' },
    });
    const production = dry.checks.find((c) => c.code === 'destination_production');
    expect(production?.severity).toBe('warning');
    // the destination is the backup's own source: the writes since the backup will be lost
    expect(dry.checks.find((c) => c.code === 'destination_changed')?.severity).toBe('warning');
    expect(dry.preview?.maskingPlan).toEqual([]);

    // the server identifier is not the production confirmation
    const env = await lb.cliEnv('jsmith');
    const wrong = await lifeboat(['restore', 'submit', String(dry.id), '--confirm', 'prod-pg01/customer'], { env });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/HINT: type the destination identifier exactly: --confirm "RESTORE CustomerDB"/);
    const sub = await lifeboat(['restore', 'submit', String(dry.id), '--confirm', 'RESTORE CustomerDB', '--json'], {
      env,
    });
    expect(sub.code).toBe(0);
    expect((JSON.parse(sub.stdout) as RunDoc).status).toBe('pending_approval');

    const alice = await lifeboat(['restore', 'approve', String(dry.id), '--comment', 'bad migration', '--json'], {
      env: await lb.cliEnv('alice'),
    });
    expect(alice.code).toBe(0);
    expect(JSON.parse(alice.stdout)).toMatchObject({ status: 'pending_approval', approvalsReceived: 1 });
    // the same approver again does not make two
    const again = await lifeboat(['restore', 'approve', String(dry.id)], { env: await lb.cliEnv('alice') });
    expect(again.code).toBe(3);
    expect(await tableContents(servers.prod, 'customer')).toEqual(bad);

    const bob = await lifeboat(['restore', 'approve', String(dry.id), '--json'], { env: await lb.cliEnv('bob') });
    expect(bob.code).toBe(0);
    const watched = await lifeboat(['restore', 'status', String(dry.id), '--watch', '--json'], { env });
    const done = JSON.parse(watched.stdout) as RunDoc;
    expect(done.status).toBe('completed');
    // unmasked: production gets its data back exactly as it was
    expect(await tableContents(servers.prod, 'customer')).toEqual(good);
    // the copy it replaced is kept with no expiry (keep_previous is one minute here)
    expect(done.previous).toMatchObject({ dbname: `customer__lb_prev_${dry.id}`, expiresAt: null, dropped: false });
    const shown = await lifeboat(['restore', 'show', String(dry.id)], { env });
    expect(shown.stdout).toContain('until a DBA drops it (a restore into production always keeps it)');

    // and the rollback itself can be undone
    const undo = await lifeboat(['restore', 'undo', String(dry.id)], { env: await lb.cliEnv('alice') });
    expect(undo.code).toBe(0);
    expect(await tableContents(servers.prod, 'customer')).toEqual(bad);
    const actions = await lb.store.db
      .selectFrom('audit_events')
      .select(['action', 'actor'])
      .where('subject_type', '=', 'run')
      .where('subject_id', '=', String(dry.id))
      .orderBy('seq')
      .execute();
    expect(actions.map((a) => `${a.action} ${a.actor}`).slice(5)).toEqual([
      'restore.submit jsmith',
      'restore.approve alice',
      'restore.approve bob',
      'restore.enqueue bob',
      'restore.start worker',
      'restore.complete worker',
      'restore.undo alice',
    ]);
  });
});

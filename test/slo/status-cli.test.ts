// `lifeboat status` through the built CLI against a running Lifeboat with real clusters: a
// verified backup, a passing drill (its restore time measured), breaches recorded by the
// evaluator (the worker's, after the backup and after the drill; and one with time injected);
// one row per database the caller may see, as a table and as one JSON document.
import { beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../src/contract/status.js';
import { monitorSlos } from '../../src/slo/monitor.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

/** The SLO events once there are `n` of them (polled, with a deadline), as "type slo". */
async function sloEvents(lb: TestLifeboat, n: number): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await lb.store.db
      .selectFrom('notification_events')
      .select(['type', 'data'])
      .where('type', 'like', 'slo.%')
      .orderBy('id')
      .execute();
    if (rows.length >= n || Date.now() > deadline) return rows.map((r) => `${r.type} ${String(r.data.slo)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('lifeboat status', () => {
  it('shows the newest verified backup, RPO achieved, last drill, restore time against the RTO and open breaches', async () => {
    const lb = await backedUp(
      servers,
      fixtureConfig({
        backupExtra: '      schedule: "0 */6 * * *"\n',
        databaseExtra: '    drill: { target: dev-pg01, schedule: first_sunday }\n',
        teamsExtra: '  team-beta: { members: [zed], approvers: [bob] }\n',
        usersExtra: '  zed: { email: zed@example.com, roles: [developer] }\n',
      }),
    );
    const alice = await lb.cliEnv('alice');
    // the worker judges the database after its backup: never drilled, so drill freshness is breached…
    await sloEvents(lb, 1);
    const drill = await lifeboat(['drill', 'run', 'CustomerDB', '--wait', '--json'], { env: alice });
    expect(drill.code).toBe(0);
    const drillId = (JSON.parse(drill.stdout) as { id: number }).id;
    // …and after the drill passes: recovered
    expect(await sloEvents(lb, 2)).toEqual(['slo.breached drill_freshness', 'slo.recovered drill_freshness']);
    const backup = await lb.store.db
      .selectFrom('backups')
      .select(['id', 'started_at'])
      .where('status', '=', 'verified')
      .executeTakeFirstOrThrow();
    // the evaluator, judging two hours on (time injected), opened the RPO breach
    const later = new Date(backup.started_at!.getTime() + 2 * 3_600_000);
    expect((await monitorSlos({ db: lb.store.db, catalog: lb.catalog }, later)).opened.map((b) => b.slo)).toEqual([
      'rpo',
    ]);
    expect(await sloEvents(lb, 3)).toEqual([
      'slo.breached drill_freshness',
      'slo.recovered drill_freshness',
      'slo.breached rpo',
    ]);

    const r = await lifeboat(['status', '--json'], { env: alice });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as StatusResponse;
    expect(doc.databases).toHaveLength(1);
    const s = doc.databases[0]!;
    expect(s).toMatchObject({
      database: 'CustomerDB',
      owner: 'team-alpha',
      newestVerifiedBackup: { id: backup.id, at: backup.started_at!.toISOString() },
      rpo: { target: '1h', targetSeconds: 3600, met: true },
      lastDrill: { id: drillId, status: 'passed' },
      restoreTime: { from: 'drill', id: drillId, rto: '4h', rtoSeconds: 14_400, met: true },
      breaches: [
        {
          slo: 'rpo',
          openedAt: later.toISOString(),
          message: `CustomerDB is outside its RPO of 1h: its newest verified backup (${backup.id}) is 2h0m old.`,
        },
      ],
    });
    expect(s.rpo.achievedSeconds).toBe(s.newestVerifiedBackup!.ageSeconds);
    expect(s.restoreTime.measuredSeconds).toBe(s.lastDrill!.restoreSeconds);
    expect(s.restoreTime.measuredSeconds).toBeGreaterThan(0);

    // the table: a header, one row, then each open breach in a sentence
    const t = await lifeboat(['status'], { env: alice });
    expect(t.code).toBe(0);
    const lines = t.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DATABASE\s+NEWEST VERIFIED BACKUP\s+AGE\s+RPO\s+LAST DRILL\s+RESTORE TIME\s+BREACHES$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^CustomerDB\\s+${backup.id}\\s+\\S+\\s+\\S+ ≤ 1h\\s+passed \\d{4}-\\d\\d-\\d\\d\\s+\\S+ ≤ 4h \\(drill ${drillId}\\)\\s+rpo$`,
      ),
    );
    expect(lines.slice(2)).toEqual([
      '',
      'open breaches:',
      `  CustomerDB rpo since ${later.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${s.breaches[0]!.message}`,
    ]);

    // a developer of another team sees no row; without a token, no status at all
    const zed = await lifeboat(['status', '--json'], { env: await lb.cliEnv('zed') });
    expect(zed.code).toBe(0);
    expect((JSON.parse(zed.stdout) as StatusResponse).databases).toEqual([]);
    const zedTable = await lifeboat(['status'], { env: await lb.cliEnv('zed') });
    expect(zedTable.stdout).toBe('no databases you may see\n');
    const anonymous = await lifeboat(['status'], { env: { ...alice, LIFEBOAT_TOKEN: '' } });
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

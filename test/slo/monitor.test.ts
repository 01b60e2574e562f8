// The SLO evaluator against a real store, with time injected (never waited for): a breach opens
// once and notifies once however often it is judged, a recovery closes it and notifies once,
// for freshness, the RPO, drill freshness, and failed or corrupt backups; two evaluators at once
// open one breach; a database removed from lifeboat.yaml has its breaches withdrawn unannounced.
import { describe, expect, it } from 'vitest';
import { markCorrupt } from '../../src/backup/set-status.js';
import { parseConfig } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/catalog/types.js';
import type { EventFacts } from '../../src/notify/events.js';
import { outboxMessages } from '../../src/notify/route.js';
import { monitorSlos } from '../../src/slo/monitor.js';
import { fixtureConfig } from '../harness/fixtures.js';
import { freshStore, type TestStore } from '../harness/store.js';

const ENV = {
  HOOK_URL: 'http://127.0.0.1:1/hook',
  PROD_PG01_URL: 'postgres://u:pw-secret@127.0.0.1:1/customer',
  DEV_PG01_URL: 'postgres://u:pw@127.0.0.1:1/d',
};
const H = 3_600_000;
const T0 = new Date('2026-12-15T00:10:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * H);

function catalog(opts: Parameters<typeof fixtureConfig>[0] = {}): Catalog {
  return parseConfig(fixtureConfig(opts), { baseDir: '/tmp', env: ENV });
}

async function backup(store: TestStore, id: string, startedAt: Date, status = 'verified', error: string | null = null) {
  await store.db
    .insertInto('backups')
    .values({
      id,
      database: 'CustomerDB',
      server: 'prod-pg01',
      storage: 'main',
      status,
      trigger: 'schedule',
      requested_by: 'scheduler',
      created_at: startedAt,
      started_at: startedAt,
      finished_at: new Date(startedAt.getTime() + 60_000),
      error,
    })
    .execute();
}

async function drill(store: TestStore, finishedAt: Date, status = 'passed') {
  await store.db
    .insertInto('drills')
    .values({
      database: 'CustomerDB',
      owner_team: 'team-alpha',
      backup_id: 'b0',
      target_server: 'dev-pg01',
      scratch_dbname: 'drill_x',
      status,
      trigger: 'schedule',
      requested_by: 'scheduler',
      started_at: new Date(finishedAt.getTime() - 60_000),
      finished_at: finishedAt,
      restore_ms: 30_000,
    })
    .execute();
}

/** The SLO events so far, as "type slo". */
async function events(store: TestStore): Promise<string[]> {
  const rows = await store.db
    .selectFrom('notification_events')
    .select(['type', 'data', 'subject_type', 'subject_id'])
    .where('type', 'like', 'slo.%')
    .orderBy('id')
    .execute();
  for (const r of rows) expect([r.subject_type, r.subject_id]).toEqual(['database', 'CustomerDB']);
  return rows.map((r) => `${r.type} ${(r.data as { slo: string }).slo}`);
}

async function openBreaches(store: TestStore): Promise<string[]> {
  const rows = await store.db
    .selectFrom('slo_breaches')
    .select(['database', 'slo'])
    .where('closed_at', 'is', null)
    .orderBy('slo')
    .execute();
  return rows.map((r) => `${r.database}/${r.slo}`);
}

const SIX_HOURLY = '      schedule: "0 */6 * * *"\n';

describe('monitorSlos', () => {
  it('backup freshness and RPO: each breach notifies once across evaluations, and recovers once', async () => {
    const store = await freshStore();
    const deps = { db: store.db, catalog: catalog({ backupExtra: SIX_HOURLY }) }; // rpo: 1h
    await backup(store, 'b1', T0);
    expect(await monitorSlos(deps, at(0.5))).toEqual({ opened: [], closed: [] });
    const r = await monitorSlos(deps, at(2));
    expect(r.opened.map((b) => b.message)).toEqual([
      'CustomerDB is outside its RPO of 1h: its newest verified backup (b1) is 2h0m old.',
    ]);
    for (const h of [2, 3, 4, 5, 7.9]) await monitorSlos(deps, at(h));
    expect(await events(store)).toEqual(['slo.breached rpo']);
    await monitorSlos(deps, at(9));
    for (const h of [9, 10, 11]) await monitorSlos(deps, at(h));
    expect(await events(store)).toEqual(['slo.breached rpo', 'slo.breached backup_freshness']);
    expect(await openBreaches(store)).toEqual(['CustomerDB/backup_freshness', 'CustomerDB/rpo']);

    // a new verified backup: both recover, once
    await backup(store, 'b2', at(11.5));
    const back = await monitorSlos(deps, at(11.6));
    expect(back.closed).toEqual([
      { database: 'CustomerDB', slo: 'backup_freshness' },
      { database: 'CustomerDB', slo: 'rpo' },
    ]);
    for (const h of [11.6, 11.7, 11.8]) await monitorSlos(deps, at(h));
    expect(await events(store)).toEqual([
      'slo.breached rpo',
      'slo.breached backup_freshness',
      'slo.recovered backup_freshness',
      'slo.recovered rpo',
    ]);
    expect(await openBreaches(store)).toEqual([]);

    // the rows keep the history: when each was opened and closed, with the figures
    const rows = await store.db.selectFrom('slo_breaches').selectAll().orderBy('id').execute();
    expect(rows.map((b) => [b.slo, b.opened_at.toISOString(), b.closed_at?.toISOString(), b.details])).toEqual([
      ['rpo', at(2).toISOString(), at(11.6).toISOString(), { backup: 'b1', ageMs: 2 * H, rpoMs: H }],
      [
        'backup_freshness',
        at(9).toISOString(),
        at(11.6).toISOString(),
        { backup: 'b1', ageMs: 9 * H, thresholdMs: 8 * H },
      ],
    ]);
    // and the audit trail has each opening and closing
    const audit = await store.db
      .selectFrom('audit_events')
      .select(['action', 'actor', 'subject_id'])
      .where('action', 'like', 'slo.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => `${a.action} ${a.actor} ${a.subject_id}`)).toEqual([
      'slo.breach lifeboat CustomerDB',
      'slo.breach lifeboat CustomerDB',
      'slo.recover lifeboat CustomerDB',
      'slo.recover lifeboat CustomerDB',
    ]);
  });

  it('time rewound recovers the breach, once', async () => {
    const store = await freshStore();
    const deps = { db: store.db, catalog: catalog() };
    await backup(store, 'b1', T0);
    await monitorSlos(deps, at(3));
    await monitorSlos(deps, at(0.5));
    await monitorSlos(deps, at(0.5));
    expect(await events(store)).toEqual(['slo.breached rpo', 'slo.recovered rpo']);
  });

  it('drill freshness: no passing drill this month breaches once; a passing drill recovers once', async () => {
    const store = await freshStore();
    const deps = {
      db: store.db,
      catalog: catalog({ databaseExtra: '    drill: { target: dev-pg01, schedule: first_sunday }\n' }),
    };
    await drill(store, new Date('2026-11-01T03:30:00Z'));
    await drill(store, new Date('2026-12-06T03:30:00Z'), 'failed');
    // keep the backups out of it: one fresh verified backup at each instant judged
    await backup(store, 'b1', new Date('2026-12-16T09:30:00Z'));
    const dec = (day: number, hour = 10) => new Date(Date.UTC(2026, 11, day, hour));
    // the 1st to the 7th 02:59: November's drill counts
    for (const d of [1, 3, 6]) expect((await monitorSlos(deps, dec(d))).opened).toEqual([]);
    expect((await monitorSlos(deps, dec(7, 2))).opened).toEqual([]);
    const r = await monitorSlos(deps, dec(7, 4));
    expect(r.opened.map((b) => b.message)).toEqual([
      'CustomerDB has had no passing drill in December 2026 (due 2026-12-07 03:00 UTC); the last passed 2026-11-01 03:30 UTC (drill 1).',
    ]);
    for (const d of [8, 10, 15]) await monitorSlos(deps, dec(d));
    await drill(store, dec(16, 4));
    await monitorSlos(deps, dec(16, 10));
    await monitorSlos(deps, dec(16, 10));
    await monitorSlos(deps, new Date('2027-01-01T00:00:00Z')); // December's drill counts into January
    // (the RPO breaches of the days before the backup are in there too)
    expect((await events(store)).filter((e) => e.endsWith('drill_freshness'))).toEqual([
      'slo.breached drill_freshness',
      'slo.recovered drill_freshness',
    ]);
  });

  it('a failed newest backup breaches once until a backup succeeds; a corrupt one until a newer one verifies', async () => {
    const store = await freshStore();
    const deps = { db: store.db, catalog: catalog() };
    await backup(store, 'b1', T0);
    await backup(store, 'b2', at(0.2), 'failed', 'pg_dump: connection to postgres://u:pw-secret@h/db refused');
    const r = await monitorSlos(deps, at(0.5));
    expect(r.opened.map((b) => b.message)).toEqual([
      'The newest backup of CustomerDB (b2, 2026-12-15 00:22 UTC) failed: pg_dump: connection to postgres://u:pw-secret@h/db refused.',
    ]);
    await monitorSlos(deps, at(0.6));
    // the event that is stored and sent never holds the password
    const ev = await store.db
      .selectFrom('notification_events')
      .selectAll()
      .where('type', '=', 'slo.breached')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(ev.data)).not.toContain('pw-secret');
    await backup(store, 'b3', at(0.7));
    await monitorSlos(deps, at(0.8));
    await monitorSlos(deps, at(0.9));
    expect(await events(store)).toEqual(['slo.breached backup_failing', 'slo.recovered backup_failing']);

    // the newest verified backup found corrupt by a restore
    await markCorrupt(
      store.db,
      { backupId: 'b3', reason: 'toc.dat: checksum mismatch' },
      { actor: 'alice', by: 'restore' },
    );
    const c = await monitorSlos(deps, at(0.95));
    expect(c.opened.map((b) => b.message)).toEqual([
      'Backup b3 of CustomerDB (2026-12-15 00:52 UTC) was found corrupt, and no newer backup is verified: toc.dat: checksum mismatch.',
    ]);
    await monitorSlos(deps, at(0.96));
    await backup(store, 'b4', at(0.97));
    await monitorSlos(deps, at(0.98));
    await monitorSlos(deps, at(0.99));
    expect(await events(store)).toEqual([
      'slo.breached backup_failing',
      'slo.recovered backup_failing',
      'slo.breached backup_failing',
      'slo.recovered backup_failing',
    ]);
  });

  it('two evaluators at once open one breach and record one event', async () => {
    const store = await freshStore();
    const deps = { db: store.db, catalog: catalog() };
    await backup(store, 'b1', T0);
    const results = await Promise.all(Array.from({ length: 4 }, () => monitorSlos(deps, at(5))));
    expect(results.flatMap((r) => r.opened.map((b) => b.key))).toEqual(['CustomerDB/rpo']);
    expect(await events(store)).toEqual(['slo.breached rpo']);
    expect(await openBreaches(store)).toEqual(['CustomerDB/rpo']);
  });

  it('a database removed from lifeboat.yaml: its breaches are closed without a notification', async () => {
    const store = await freshStore();
    await backup(store, 'b1', T0);
    await monitorSlos({ db: store.db, catalog: catalog() }, at(5));
    const without = parseConfig(fixtureConfig().replace(/databases:[\s\S]*$/, 'databases: {}\n'), {
      baseDir: '/tmp',
      env: ENV,
    });
    expect(await monitorSlos({ db: store.db, catalog: without }, at(6))).toEqual({
      opened: [],
      closed: [{ database: 'CustomerDB', slo: 'rpo' }],
    });
    expect(await events(store)).toEqual(['slo.breached rpo']);
    expect(await openBreaches(store)).toEqual([]);
  });

  it("routes a breach to the owning team's channels and the DBA channel, emailing the DBAs; a recovery as info", () => {
    const cat = catalog({
      teamExtra: '    notify: [alpha-mail]',
      extra: `notifications:
  alpha-mail: { type: email, to: [alpha@example.com], from: lb@example.com, smtp: { host: 127.0.0.1, port: 2525 } }
  dba-hook: { type: webhook, url: env:HOOK_URL, all_teams: true }
  quiet: { type: webhook, url: env:HOOK_URL, all_teams: true, min_severity: warning }
`,
    });
    const data = {
      database: 'CustomerDB',
      slo: 'rpo',
      message: 'CustomerDB is outside its RPO of 1h: its newest verified backup (b1) is 2h0m old.',
      openedAt: '2026-12-15T02:10:00.000Z',
      closedAt: null,
    };
    const event = (facts: EventFacts) => ({ id: 1, subject: 'database CustomerDB', createdAt: new Date(), ...facts });
    const breached = outboxMessages(event({ type: 'slo.breached', data }), cat, 'http://lb');
    expect(breached.map((m) => m.channel)).toEqual(['alpha-mail', 'dba-hook', 'quiet']);
    const mail = breached[0]!.payload as { to: string[]; subject: string; text: string };
    expect(mail.to).toEqual(['alpha@example.com', 'dana@example.com']);
    expect(mail.subject).toContain('CustomerDB breaches its RPO SLO');
    expect(mail.text).toContain('its newest verified backup (b1) is 2h0m old');
    const recovered = outboxMessages(
      event({ type: 'slo.recovered', data: { ...data, closedAt: '2026-12-15T03:00:00.000Z' } }),
      cat,
      'http://lb',
    );
    // info: not to a channel that wants warnings and worse
    expect(recovered.map((m) => m.channel)).toEqual(['alpha-mail', 'dba-hook']);
    expect((recovered[0]!.payload as { subject: string }).subject).toContain('CustomerDB meets its RPO SLO again');
  });
});

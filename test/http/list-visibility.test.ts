// List endpoints show only what the user may see, and filter it in SQL before the limit: a page
// of a team's runs or backups is full even when newer rows of other teams' databases abound.
import { describe, expect, it } from 'vitest';
import { catalogFrom, testApp } from '../harness/app.js';
import type { TestStore } from '../harness/store.js';

const CONFIG = `version: 1
teams:
  team-alpha: { members: [jsmith], approvers: [alice] }
  team-beta: { members: [bert], approvers: [bob] }
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice: { email: alice@example.com, roles: [db-owner] }
  bert: { email: bert@example.com, roles: [developer] }
  bob: { email: bob@example.com, roles: [db-owner] }
  dana: { email: dana@example.com, roles: [dba-admin] }
  loner: { email: loner@example.com, roles: [developer] }
servers:
  prod-pg01: { engine: postgres, tier: production, url: env:PROD_URL }
storage:
  main: { type: filesystem, path: ./backups }
databases:
  AlphaDB: { server: prod-pg01, name: alpha, owner: team-alpha, backup: { storage: main } }
  BetaDB: { server: prod-pg01, name: beta, owner: team-beta, backup: { storage: main } }
`;

/** `n` runs and `n` backups of `database`, each newer than everything before it. */
async function history(store: TestStore, database: 'AlphaDB' | 'BetaDB', n: number, from: number): Promise<void> {
  const team = database === 'AlphaDB' ? 'team-alpha' : 'team-beta';
  for (let i = 0; i < n; i++) {
    const at = new Date(Date.UTC(2024, 0, 1, 0, from + i));
    await store.db
      .insertInto('restore_runs')
      .values({
        database,
        owner_team: team,
        source_server: 'prod-pg01',
        destination_server: 'prod-pg01',
        destination_dbname: `copy_${from + i}`,
        destination_tier: 'production',
        identifier: `RESTORE ${database}`,
        status: 'previewed',
        requested_by: 'dana',
        created_at: at,
      })
      .execute();
    await store.db
      .insertInto('backups')
      .values({
        id: `20240101T00${String(from + i).padStart(2, '0')}00Z-0000`,
        database,
        server: 'prod-pg01',
        storage: 'main',
        status: 'verified',
        trigger: 'manual',
        requested_by: 'dana',
        created_at: at,
      })
      .execute();
  }
}

describe('list endpoints', () => {
  it('fill a page with what the user may see, however many newer rows they may not', async () => {
    const { app, store, auth } = await testApp({
      catalog: catalogFrom(CONFIG, { PROD_URL: 'postgres://lifeboat@127.0.0.1:1/postgres' }),
    });
    // five of team-alpha's, then thirty newer ones of team-beta's
    await history(store, 'AlphaDB', 5, 0);
    await history(store, 'BetaDB', 30, 5);
    const list = async (user: string, url: string) => {
      const res = await app.inject({ url, headers: await auth(user) });
      expect(res.statusCode, `${user} ${url}`).toBe(200);
      return res.json();
    };
    const runsOf = async (user: string, url = '/api/v1/runs?limit=5') =>
      (await list(user, url)).runs.map(
        (r: { database: string; destination: { dbname: string } }) => `${r.database}/${r.destination.dbname}`,
      );
    const backupsOf = async (user: string, url = '/api/v1/backups?limit=5') =>
      (await list(user, url)).backups.map((b: { id: string }) => b.id.slice(9, 15));

    const alphaRuns = ['AlphaDB/copy_4', 'AlphaDB/copy_3', 'AlphaDB/copy_2', 'AlphaDB/copy_1', 'AlphaDB/copy_0'];
    expect(await runsOf('jsmith')).toEqual(alphaRuns);
    expect(await runsOf('alice')).toEqual(alphaRuns);
    expect(await backupsOf('jsmith')).toEqual(['000400', '000300', '000200', '000100', '000000']);
    expect(await backupsOf('alice')).toEqual(['000400', '000300', '000200', '000100', '000000']);
    expect(await runsOf('bert', '/api/v1/runs?limit=2')).toEqual(['BetaDB/copy_34', 'BetaDB/copy_33']);
    // a DBA admin sees every team's: the newest
    expect(await runsOf('dana', '/api/v1/runs?limit=2')).toEqual(['BetaDB/copy_34', 'BetaDB/copy_33']);
    expect(await backupsOf('dana', '/api/v1/backups?limit=2')).toEqual(['003400', '003300']);
    // a filter by a database the user may not see finds nothing (runs) or is refused (backups)
    expect(await runsOf('jsmith', '/api/v1/runs?database=BetaDB')).toEqual([]);
    const refused = await app.inject({ url: '/api/v1/backups?database=BetaDB', headers: await auth('jsmith') });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('not_team_member');
    // a user in no team sees nothing
    expect(await runsOf('loner')).toEqual([]);
    expect(await backupsOf('loner')).toEqual([]);
  });
});

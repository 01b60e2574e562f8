// Helpers of the restore and masking tests: a Lifeboat with one verified backup of the fixture
// CustomerDB, and restore requests through the real CLI.
import { requestBackup } from '../../src/backup/service.js';
import type { RunDoc } from '../../src/contract/runs.js';
import { lifeboat } from './cli.js';
import type { FixtureServers } from './fixtures.js';
import { startTestLifeboat, type TestLifeboat } from './lifeboat.js';

/** A running Lifeboat on `config` with one verified backup of CustomerDB. */
export async function backedUp(
  servers: FixtureServers,
  config: string,
  opts: { env?: Record<string, string>; worker?: boolean; staleAfterMs?: number } = {},
): Promise<TestLifeboat> {
  const lb = await startTestLifeboat(config, { ...servers.env, ...opts.env }, opts);
  const { id } = await requestBackup(lb.store.db, lb.queue, lb.catalog, {
    database: 'CustomerDB',
    actor: 'test',
    trigger: 'manual',
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const b = await lb.store.db.selectFrom('backups').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    if (b.status === 'verified') return lb;
    if (['failed', 'corrupt'].includes(b.status) || Date.now() > deadline) throw new Error(`backup ${b.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `lifeboat restore request CustomerDB --to dev-pg01/<dbname> --execute --confirm …` (+ --wait unless `wait: false`). */
export async function requestRestoreCli(
  lb: TestLifeboat,
  dbname: string,
  opts: { extra?: string[]; user?: string; wait?: boolean } = {},
) {
  const args = [
    'restore',
    'request',
    'CustomerDB',
    '--to',
    `dev-pg01/${dbname}`,
    '--execute',
    '--confirm',
    `dev-pg01/${dbname}`,
    '--json',
  ];
  if (opts.wait !== false) args.push('--wait');
  const r = await lifeboat([...args, ...(opts.extra ?? [])], { env: await lb.cliEnv(opts.user ?? 'jsmith') });
  return { ...r, run: JSON.parse(r.stdout || '{}') as RunDoc };
}

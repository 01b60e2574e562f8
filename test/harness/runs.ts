// Helpers of the restore and masking tests: a Lifeboat with one verified backup of the fixture
// CustomerDB, restore requests through the real CLI, a destination that already holds data,
// waiting for a run to reach a phase, and a gate that holds running restores until it is opened.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { requestBackup } from '../../src/backup/service.js';
import type { RunDoc } from '../../src/contract/runs.js';
import type { DispatcherOptions } from '../../src/notify/dispatcher.js';
import { lifeboat } from './cli.js';
import { type FixtureServers, tableContents } from './fixtures.js';
import { harnessRoot } from './cluster.js';
import { startTestLifeboat, type TestLifeboat } from './lifeboat.js';

/** A running Lifeboat on `config` with one verified backup of CustomerDB. */
export async function backedUp(
  servers: FixtureServers,
  config: string,
  opts: {
    env?: Record<string, string>;
    worker?: boolean;
    staleAfterMs?: number;
    uiDir?: string;
    dispatcher?: DispatcherOptions;
  } = {},
): Promise<TestLifeboat> {
  const lb = await startTestLifeboat(config, { ...servers.env, ...opts.env }, opts);
  await backUpAgain(lb);
  return lb;
}

/** Takes one more backup of CustomerDB and waits until it is verified; its id. */
export async function backUpAgain(lb: TestLifeboat): Promise<string> {
  const { id } = await requestBackup(lb.store.db, lb.queue, lb.catalog, {
    database: 'CustomerDB',
    actor: 'test',
    trigger: 'manual',
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const b = await lb.store.db.selectFrom('backups').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    if (b.status === 'verified') return id;
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

/**
 * The backup is `corrupt` with `reason`, the finding is audited, and the backup is never offered
 * again: not by default (none is left), and not by its id.
 */
export async function expectMarkedCorrupt(lb: TestLifeboat, id: string, reason: RegExp, foundBy: string) {
  const row = await lb.store.db
    .selectFrom('backups')
    .select(['status', 'verify_error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(row.status).toBe('corrupt');
  expect(row.verify_error).toMatch(reason);
  const events = await lb.store.db
    .selectFrom('audit_events')
    .select(['actor', 'outcome', 'details'])
    .where('action', '=', 'backup.corrupt')
    .where('subject_id', '=', id)
    .execute();
  expect(events).toEqual([
    {
      actor: 'worker',
      outcome: 'failure',
      details: { reason: row.verify_error, foundBy, from: 'verified', to: 'corrupt' },
    },
  ]);
  const byDefault = await requestRestoreCli(lb, 'never_restored', { wait: false });
  expect(byDefault.code).toBe(4);
  expect(byDefault.stderr).toMatch(/^lifeboat: no restorable backup of CustomerDB\n/);
  const byId = await requestRestoreCli(lb, 'never_restored', { wait: false, extra: ['--backup', id] });
  expect(byId.code).toBe(3);
  expect(byId.stderr).toMatch(
    new RegExp(`^lifeboat: run \\d+ has a blocking check: backup ${id} is corrupt and cannot be restored \\(`),
  );
}

/** A destination on dev-pg01 with content of its own, to prove it is untouched or replaced; its contents. */
export async function existingDestination(servers: FixtureServers, dbname: string): Promise<Record<string, string[]>> {
  await servers.dev.createDatabase(dbname);
  await servers.dev.query(
    dbname,
    `create table keep_me (id int primary key, note text); insert into keep_me values (1, 'the old copy'), (2, 'still here')`,
  );
  return tableContents(servers.dev, dbname);
}

/** Waits (a minute at most) until run `id` reports `phase`; throws if it ends first. */
export async function waitForPhase(lb: TestLifeboat, id: number, phase: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await lb.store.db
      .selectFrom('restore_runs')
      .select(['phase', 'status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (r.phase === phase) return;
    if (!['queued', 'running'].includes(r.status)) throw new Error(`run ended ${r.status}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`run ${id} never reached ${phase}`);
}

/** A post-restore step that holds the run until the test creates `<gate>/go` (a minute at most). */
export function gate(): { dir: string; extra: string; open: () => void } {
  const dir = mkdtempSync(join(harnessRoot(), 'gate-'));
  chmodSync(dir, 0o755);
  return {
    dir,
    extra: `    post_restore:\n      - { command: "for i in $(seq 1 600); do [ -e ${dir}/go ] && exit 0; sleep 0.1; done; exit 1" }`,
    open: () => writeFileSync(join(dir, 'go'), ''),
  };
}

// pg-boss's cron schedules follow lifeboat.yaml's pgbackrest.schedule: one per server and type,
// removed when the configuration drops it.
import { afterAll, expect, it } from 'vitest';
import { syncBackupSchedules } from '../../src/backup/service.js';
import { parseConfig } from '../../src/catalog/load.js';
import { startQueue } from '../../src/worker/queue.js';
import { freshStore } from '../harness/store.js';

const yaml = (schedule: string) => `version: 1
servers:
  prod:
    engine: postgres
    tier: production
    url: env:U
    pgbackrest: { stanza: main, pg_data: /srv/pg, repo: vault${schedule} }
storage:
  vault: { type: filesystem, path: /srv/backups }
`;
const env = { U: 'postgres://u:p@127.0.0.1:5432/postgres' };
const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const s of stops) await s();
});

it('schedules full, diff and incr backups per server, and unschedules what the configuration drops', async () => {
  const store = await freshStore();
  const queue = await startQueue({ url: store.url });
  queue.on('error', () => {});
  stops.push(() => queue.stop({ graceful: false, wait: true }));
  const both = parseConfig(yaml(', schedule: { full: "0 1 * * 0", incr: "15 * * * *" }'), { baseDir: '/tmp', env });
  await syncBackupSchedules(queue, both);
  const mine = async () =>
    (await queue.getSchedules())
      .filter((s) => s.name.startsWith('physical.'))
      .map((s) => [s.name, s.cron])
      .sort();
  expect(await mine()).toEqual([
    ['physical.scheduled.prod.full', '0 1 * * 0'],
    ['physical.scheduled.prod.incr', '15 * * * *'],
  ]);
  await syncBackupSchedules(queue, parseConfig(yaml(', schedule: { full: "0 2 * * 0" }'), { baseDir: '/tmp', env }));
  expect(await mine()).toEqual([['physical.scheduled.prod.full', '0 2 * * 0']]);
  await syncBackupSchedules(queue, parseConfig(yaml(''), { baseDir: '/tmp', env }));
  expect(await mine()).toEqual([]);
});

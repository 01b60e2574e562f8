// WAL archiving in the tests of physical backups (test/physical, test/dr): waits on the
// archiver instead of sleeping.
import type { TestCluster } from './cluster.js';

/** Until pg_stat_archiver has archived the segment pg_switch_wal closed (the archiver is event-driven). */
export async function waitArchived(c: TestCluster): Promise<void> {
  const [{ seg }] = (await c.query<{ seg: string }>(
    'postgres',
    'select pg_walfile_name(pg_current_wal_lsn() - 1) as seg',
  )) as [{ seg: string }];
  for (let i = 0; i < 600; i++) {
    const [row] = await c.query<{ last: string | null }>(
      'postgres',
      'select last_archived_wal as last from pg_stat_archiver',
    );
    if (row?.last && row.last >= seg) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`segment ${seg} was not archived`);
}

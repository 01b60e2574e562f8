// WAL archiving in the tests of physical backups (test/physical, test/dr): a source cluster's
// socket directory and archiving settings, and a wait on the archiver instead of sleeping.
import { chmodSync, mkdtempSync } from 'node:fs';
import type { Catalog } from '../../src/catalog/types.js';
import { giveToPostgres } from '../../src/engines/postgres/local-cluster.js';
import { getServerOf } from '../../src/physical/lookup.js';
import { requiredSettings, settingsLines } from '../../src/physical/setup.js';
import type { TestCluster } from './cluster.js';

/**
 * A directory for a source cluster's Unix socket, which pgBackRest connects through: under /tmp
 * (a socket path is limited to 107 bytes), enterable by the postgres OS user. The test removes it.
 */
export function socketDir(): string {
  const dir = mkdtempSync('/tmp/lbsock-');
  chmodSync(dir, 0o755);
  giveToPostgres(dir);
  return dir;
}

/**
 * The postgresql.conf lines of a cluster that archives its WAL into `server`'s stanza (what
 * `backup physical setup` prints; the archive_command depends on the configuration directory
 * only, so a catalog parsed before the cluster exists will do), listening on `sockDir` too.
 */
export function archivingSettings(catalog: Catalog, server: string, sockDir: string): string[] {
  return [...settingsLines(requiredSettings(getServerOf(catalog, server))), `unix_socket_directories = '${sockDir}'`];
}

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

// Step: a restored copy of a backup in a database of its own, never the destination. The part of
// the runbook that a restore (then verified and swapped into place), a drill (then checked and
// dropped) and disaster recovery (then validated and cut over) share:
//   open the backup in its storage → fetch the archive's table of contents → create the database
//   → restore (table data streamed from storage, checksums verified as it flows; masked when
//   asked) → post-restore scripts
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { backupPrefix } from '../../backup/manifest.js';
import { type BackupReader, openBackup, readManifest } from '../../backup/read-backup.js';
import type { Catalog, DatabaseConfig } from '../../catalog/types.js';
import { createDatabase, dropDatabase, withAdmin, withClient } from '../../engines/postgres/admin.js';
import type { Secret } from '../../lib/secret.js';
import { openCatalogStorage } from '../../storage/index.js';
import type { Db } from '../../store/db.js';
import type { RunTracker } from '../progress.js';
import { feedArchive } from './feed-archive.js';
import { fetchArchive } from './fetch-archive.js';
import {
  archiveCopyStatements,
  archiveUniqueColumns,
  leakCheck,
  type MaskedTable,
  maskingSummary,
  planMasking,
} from './masked-data.js';
import { runPostRestore } from './post-restore.js';
import { pgRestore, type PgRestoreOptions } from './restore-staging.js';

export interface OpenedBackup {
  reader: BackupReader;
  /** The storage it lives in (still open until `close`). */
  storage: ReturnType<typeof openCatalogStorage>;
  close: () => Promise<void>;
}

/** Opens a backup in its storage: the manifest, and a reader that checks every file as it streams. */
export async function openSource(
  deps: { db: Db; catalog: Catalog },
  backupId: string,
  database: DatabaseConfig,
): Promise<OpenedBackup> {
  const row = await deps.db
    .selectFrom('backups')
    .select(['storage', 'database'])
    .where('id', '=', backupId)
    .executeTakeFirstOrThrow();
  const storage = openCatalogStorage(deps.catalog.storage[row.storage]!);
  try {
    const prefix = backupPrefix(row.database, backupId);
    const manifest = await readManifest(storage, prefix, backupId);
    const reader = await openBackup(storage, prefix, manifest, database);
    return { reader, storage, close: async () => storage.close?.() };
  } catch (err) {
    await storage.close?.();
    throw err;
  }
}

export interface RestoreCopyOptions {
  url: Secret;
  /** The database to create and restore into (dropped first if a stale one of that name exists). */
  dbname: string;
  source: BackupReader;
  /** A scratch directory of the worker's. */
  work: string;
  database: DatabaseConfig;
  /** Mask personal data on its way in (every destination tier but production). */
  mask: boolean;
  tracker: RunTracker;
  signal: AbortSignal;
  /** Called as soon as the database exists: from then on a failure must drop (or keep) it. */
  onCreated: () => Promise<void> | void;
}

/** Fetch the table of contents → create `dbname` → restore into it → post-restore scripts. */
export async function restoreCopy(o: RestoreCopyOptions): Promise<void> {
  const manifest = o.source.manifest;
  const archive = join(o.work, 'archive');
  // table data is not fetched: pg_restore reads it from storage through pipes (feed-archive.ts)
  const tableFiles = new Set(manifest.tables.map((t) => t.file).filter(Boolean));
  await fetchArchive(
    o.source,
    archive,
    manifest.files.filter((f) => !tableFiles.has(f.name)),
    o.tracker,
    o.signal,
  );
  o.tracker.phaseStart('restore');
  await withAdmin(o.url, async (c) => {
    await dropDatabase(c, o.dbname);
    await createDatabase(c, o.dbname);
  });
  await o.onCreated();
  await restoreIntoStaging(
    {
      url: o.url,
      dbname: o.dbname,
      dir: archive,
      jobs: o.database.restore.jobs ?? 2,
      manifest,
      tracker: o.tracker,
      signal: o.signal,
    },
    { reader: o.source, work: o.work, database: o.database, mask: o.mask },
  );

  o.tracker.phaseStart('post_restore');
  await runPostRestore(o.database.postRestore, o.url, o.dbname, o.tracker, o.signal);
}

/**
 * Restores the archive into the staging database with pg_restore -j N, its table data fed from
 * storage through pipes as pg_restore asks for it (feed-archive.ts). For a masked restore the
 * schema comes first (pre-data), then the masking plan, checked to fit before any row is
 * written, then data and post-data with the masked tables fed through the masking stream, then
 * the leak check.
 */
async function restoreIntoStaging(
  o: PgRestoreOptions,
  s: { reader: BackupReader; work: string; database: DatabaseConfig; mask: boolean },
): Promise<void> {
  let masked: MaskedTable[] = [];
  if (s.mask) {
    await pgRestore({ ...o, extra: ['--section=pre-data'] });
    const targets = await archiveCopyStatements(o.dir, join(s.work, 'shadow'), o.manifest.tables, o.signal);
    masked = await withClient(o.url, o.dbname, async (c) =>
      planMasking(c, s.database, o.manifest.tables, targets, await archiveUniqueColumns(o.dir)),
    );
    o.tracker.log(maskingSummary(masked));
  }
  const stop = new AbortController();
  const signal = AbortSignal.any([o.signal, stop.signal]);
  setMaxListeners(0, signal);
  const feed = await feedArchive({
    dir: o.dir,
    reader: s.reader,
    tables: o.manifest.tables
      .filter((t): t is typeof t & { file: string } => Boolean(t.file))
      .map((table) => ({ table, mask: masked.find((m) => m.table === table) })),
    tracker: o.tracker,
    signal,
    abort: (reason) => stop.abort(reason),
  });
  let restoreError: unknown;
  try {
    await pgRestore({ ...o, signal, extra: s.mask ? ['--section=data', '--section=post-data'] : [] });
  } catch (err) {
    restoreError = err;
  }
  await feed.finish(restoreError !== undefined);
  if (restoreError !== undefined) throw restoreError;
  o.tracker.log(`loaded ${o.manifest.tables.length} tables (${o.manifest.totals.rows} rows) from the archive`);
  if (masked.length) await withClient(o.url, o.dbname, (c) => leakCheck(c, masked, o.tracker));
}

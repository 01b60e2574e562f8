// Schemas that are not in a live database, made live for a while in a throwaway cluster on the
// Lifeboat host (src/engines/postgres/scratch-cluster.ts): a reference SQL file applied to an
// empty database, or a backup's schema restored from its archive (pg_restore --schema-only, no
// table data is fetched). The result is read like any live database, and migra can compare it.
// `withScratch` starts the cluster only if something asks for it, and always removes it.
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import { pgBin } from '../engines/postgres/binaries.js';
import type { LiveDatabase } from '../engines/postgres/migra.js';
import { readLiveSchema } from '../engines/postgres/read-schema.js';
import { applySqlScript, type ScratchCluster, withScratchCluster } from '../engines/postgres/scratch-cluster.js';
import { LifeboatError } from '../errors.js';
import { run, tail } from '../lib/process.js';
import { openSource } from '../restore/steps/restore-copy.js';
import type { Db } from '../store/db.js';
import type { SchemaDocument } from './document.js';

export interface Scratch {
  /** A new empty database in the scratch cluster (started at the first call). */
  database(): Promise<{ cluster: ScratchCluster; dbname: string }>;
}

/** Runs `fn` with a scratch cluster started on demand; stopped and deleted afterwards if started. */
export async function withScratch<T>(fn: (s: Scratch) => Promise<T>): Promise<T> {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  let cluster: Promise<ScratchCluster> | undefined;
  let running: Promise<unknown> | undefined;
  let count = 0;
  const scratch: Scratch = {
    async database() {
      cluster ??= new Promise<ScratchCluster>((resolve, reject) => {
        running = withScratchCluster(async (c) => {
          resolve(c);
          await done;
        }).catch(reject);
      });
      const c = await cluster;
      const dbname = `scratch_${++count}`;
      await c.createDatabase(dbname);
      return { cluster: c, dbname };
    },
  };
  try {
    return await fn(scratch);
  } finally {
    release();
    await running;
  }
}

export interface Materialised {
  document: SchemaDocument;
  /** Where it lives while the scratch cluster runs (for migra). */
  live: LiveDatabase;
}

/** A reference SQL script applied to a new scratch database, and its document. */
export async function materialiseSql(scratch: Scratch, sql: string, label: string): Promise<Materialised> {
  const { cluster, dbname } = await scratch.database();
  await applySqlScript(cluster, dbname, sql, label);
  return { document: await readLiveSchema(cluster.admin, dbname), live: { url: cluster.admin, dbname } };
}

/** The reference file of the config (its path resolved against lifeboat.yaml's directory). */
export function readReferenceFile(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new LifeboatError(
      'invalid_request',
      `unable to read the schema reference ${label}: ${(err as Error).message}`,
      {
        hint: 'schema.reference is a SQL file, relative to lifeboat.yaml',
      },
    );
  }
}

/**
 * A backup's schema in a new scratch database: its archive's table of contents fetched (and
 * verified) from storage, turned into SQL by pg_restore --schema-only (no owners, no grants), and
 * applied like a reference file.
 */
export async function materialiseBackup(
  deps: { db: Db; catalog: Catalog },
  scratch: Scratch,
  backupId: string,
  database: DatabaseConfig,
): Promise<LiveDatabase> {
  const work = mkdtempSync(join(tmpdir(), 'lifeboat-schema-backup-'));
  try {
    const source = await openSource(deps, backupId, database);
    try {
      const toc = source.reader.manifest.files.find((f) => f.name === 'toc.dat');
      if (!toc) {
        throw new LifeboatError('invalid_request', `backup ${backupId} has no table of contents (toc.dat)`, {
          hint: 'its archive is not a pg_dump directory archive; compare its recorded snapshot without --sql',
        });
      }
      const archive = join(work, 'archive');
      mkdirSync(archive);
      await pipeline(
        await source.reader.open(toc, AbortSignal.timeout(10 * 60_000)),
        createWriteStream(join(archive, 'toc.dat')),
      );
    } finally {
      await source.close();
    }
    const out = join(work, 'schema.sql');
    const r = await run(pgBin('pg_restore'), [
      '--schema-only',
      '--no-owner',
      '--no-acl',
      '-f',
      out,
      join(work, 'archive'),
    ]);
    if (r.code !== 0) {
      throw new LifeboatError(
        'engine_failed',
        `unable to read the schema of backup ${backupId}: ${tail(r.stderr, 3)}`,
        {
          hint: "the archive's table of contents is unreadable: verify the backup (`lifeboat backup verify`)",
        },
      );
    }
    const { cluster, dbname } = await scratch.database();
    await applySqlScript(cluster, dbname, readFileSync(out, 'utf8'), `the schema of backup ${backupId}`);
    return { url: cluster.admin, dbname };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

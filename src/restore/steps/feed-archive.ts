// Feeding pg_restore from storage: in the local archive directory, each table's data file is a
// named pipe (FIFO) instead of a file. When pg_restore opens one to load that table, Lifeboat
// starts streaming it out of storage into the pipe: decrypted and un-zstd'ed when stored so,
// both checksums verified, and exactly the bytes pg_dump wrote (gzip included: pg_restore
// inflates as it would from a fetched archive) — or, for a masked table, inflated and masked. pg_restore keeps its own scheduling (largest tables first,
// indexes built as soon as their table is loaded, -j N), the data never lands on local disk, and
// loading starts with the first byte fetched instead of after the whole archive.
//
// A pipe that pg_restore has not opened yet refuses a non-blocking open for writing (ENXIO): the
// feeder polls each pending pipe and starts a stream only once its reader is there, so nothing
// is fetched before it is needed.
//
// A file that a local filesystem storage holds exactly as pg_dump wrote it needs no stream: the
// archive gets a symbolic link to it, pg_restore reads it in place, and the worker checks its
// SHA-256 alongside; a mismatch fails the run (before any swap) whatever pg_restore made of it.
import { constants, openSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import net from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { BackupFile, TableCount } from '../../backup/manifest.js';
import { type BackupReader, CorruptBackupError } from '../../backup/read-backup.js';
import { mapLimit } from '../../backup/store-files.js';
import { LifeboatError } from '../../errors.js';
import { run, tail } from '../../lib/process.js';
import { maskCopyStream } from '../../masking/copy-stream.js';
import { maskThreads, parallelMaskStream } from '../../masking/parallel.js';
import type { RunTracker } from '../progress.js';
import { type MaskedTable, threadPlan, untilEndMarker } from './masked-data.js';

export interface FedTable {
  table: TableCount & { file: string };
  mask?: MaskedTable | undefined;
}

export interface ArchiveFeed {
  /**
   * Call once pg_restore has exited: stops polling, waits for the streams, and throws the first
   * problem of the feed itself (a corrupt file, a row count that differs from the manifest, a
   * table pg_restore never read). Errors that only echo pg_restore's end (a closed pipe) are not
   * reported: pg_restore's own error says more.
   */
  finish(restoreFailed: boolean): Promise<void>;
}

/**
 * The pipe's name: the archive's own file name, or for a masked table (whose data is inflated
 * to be masked) the plain name — pg_restore looks for `NNNN.dat` first and `NNNN.dat.gz` next.
 */
const pipeName = (t: FedTable) => (t.mask ? t.table.file.replace(/\.gz$/, '') : t.table.file);

/**
 * Makes every table's data file in `dir` a pipe and feeds each one when pg_restore opens it.
 * `abort` is called on the first failure of a stream, so that the caller can stop pg_restore.
 */
export async function feedArchive(o: {
  dir: string;
  reader: BackupReader;
  tables: readonly FedTable[];
  tracker: RunTracker;
  signal: AbortSignal;
  abort: (reason: unknown) => void;
}): Promise<ArchiveFeed> {
  const files = new Map(o.reader.manifest.files.map((f) => [f.name, f]));
  const fileOf = (t: FedTable) => files.get(t.table.file);
  const inPlace = o.tables.filter((t) => !t.mask && fileOf(t) && o.reader.localFile(fileOf(t)!));
  const piped = o.tables.filter((t) => !inPlace.includes(t));
  for (const t of inPlace) await symlink(o.reader.localFile(fileOf(t)!)!, join(o.dir, t.table.file));
  const paths = piped.map((t) => join(o.dir, pipeName(t)));
  if (paths.length) {
    const r = await run('mkfifo', ['-m', '0600', ...paths]);
    if (r.code !== 0) {
      throw new LifeboatError('engine_failed', `unable to create the restore pipes: ${tail(r.stderr, 2)}`, {
        hint: 'the worker needs a local file system that supports named pipes (TMPDIR)',
      });
    }
  }
  // the feed's own first problem, and apart from it the first closed pipe: a closed pipe means
  // pg_restore stopped reading (it failed, and will say why), so it never hides a real problem
  let failure: unknown;
  let pipeClosed: unknown;
  const fail = (err: unknown) => {
    if (isPipeClosed(err)) {
      pipeClosed ??= err;
      return;
    }
    if (failure !== undefined) return;
    failure = err;
    o.abort(err);
  };
  const pending = new Set(piped);
  const streams: Array<Promise<void>> = [];
  const checks = mapLimit(inPlace, 1, async (t) => {
    if (o.signal.aborted) return;
    const corrupt = await o.reader.diagnose(fileOf(t)!, { strict: true });
    if (corrupt) throw corrupt;
    o.tracker.p.bytesDone += fileOf(t)!.bytes;
  });
  checks.catch(fail);

  const poll = () => {
    for (const t of pending) {
      let fd: number;
      try {
        fd = openSync(join(o.dir, pipeName(t)), constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENXIO') continue; // pg_restore is not reading it yet
        fail(err);
        return;
      }
      pending.delete(t);
      const s = feedOne(o, t, fileOf(t), new net.Socket({ fd, readable: false, writable: true }));
      s.catch(fail);
      streams.push(s);
    }
  };
  // (no pipes, no polling: every table is read in place)
  const timer = pending.size ? setInterval(poll, 10) : undefined;
  poll();

  return {
    async finish(restoreFailed) {
      clearInterval(timer);
      await Promise.allSettled([...streams, checks]);
      if (failure !== undefined) throw failure;
      if (pipeClosed !== undefined && !restoreFailed) throw pipeClosed;
      if (!restoreFailed && pending.size) {
        // (tables read in place are checked above; every piped one must have been read)
        const t = [...pending][0]!;
        throw new LifeboatError(
          'engine_failed',
          `pg_restore did not read the data of ${t.table.schema}.${t.table.name}`,
          {
            hint: 'the archive and its manifest disagree; the destination was not touched',
          },
        );
      }
    },
  };
}

async function feedOne(
  o: { reader: BackupReader; tracker: RunTracker; signal: AbortSignal },
  t: FedTable,
  file: BackupFile | undefined,
  sink: net.Socket,
): Promise<void> {
  const { table } = t;
  const label = `${table.schema}.${table.name}`;
  if (!file) {
    sink.destroy();
    throw new LifeboatError('engine_failed', `the manifest lists no file ${table.file} for ${label}`, {
      hint: 'the backup is inconsistent; take a new one',
    });
  }
  // a large table is masked in threads (masking costs CPU per value), a small one in the stream
  const threads = t.mask ? maskThreads(file.bytes, t.mask.threads) : 0;
  if (threads > 0) o.tracker.log(`masking ${label} in ${threads} threads`);
  const masking = !t.mask
    ? undefined
    : threads > 0
      ? parallelMaskStream(threadPlan(t.mask), { threads, sampler: t.mask.sampler })
      : maskCopyStream(
          {
            columns: t.mask.columns.map((c) => c.name),
            rules: new Map(t.mask.rules.map((r) => [r.index, r.fn])),
            table: label,
          },
          { sampler: t.mask.sampler },
        );
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = [
    await o.reader.open(file, o.signal),
    o.tracker.countBytes(),
    ...(masking
      ? [
          ...(table.file.endsWith('.gz') ? [createGunzip({ chunkSize: 1 << 20 })] : []),
          untilEndMarker(),
          masking,
          withEndMarker(),
        ]
      : []),
    sink,
  ];
  try {
    await pipeline(stages, { signal: o.signal });
  } catch (err) {
    if (o.signal.aborted || err instanceof CorruptBackupError) throw err;
    // A damaged file usually trips its consumer before its checksum is complete: the
    // decompressor, the masking parser ("row N has 5 fields"), or pg_restore, which then stops
    // reading the pipe. Whenever the stored file does not match its checksum, that is what the
    // run says, whoever failed first.
    throw (await o.reader.diagnose(file)) ?? err;
  }
  if (masking && masking.stats.rows !== table.rows) {
    throw new LifeboatError(
      'engine_failed',
      `row counts differ from the backup: ${label}: ${masking.stats.rows} rows in the archive, the manifest has ${table.rows}`,
      { hint: 'the archive is inconsistent with its manifest; the destination was not touched' },
    );
  }
}

/** Puts back the end-of-data line that `untilEndMarker` took off before masking. */
function withEndMarker(): Transform {
  return new Transform({
    transform: (chunk: Buffer, _e, cb) => cb(null, chunk),
    flush: (cb) => cb(null, Buffer.from('\\.\n\n')),
  });
}

function isPipeClosed(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET';
}

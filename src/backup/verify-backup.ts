// Verifying a backup: the manifest in storage matches the catalog, every file is there with its
// size and both checksums (stored, and original after decryption and decompression), and
// pg_restore can read the archive's table of contents. The result marks the backup verified or
// corrupt, with the reason (file, expected, actual) — or `unverifiable` when the storage could not
// be read at all (unreachable, timed out, refused): that says nothing about the files, and the
// verification is retried later (BACKUP_VERIFY_QUEUE, src/backup/service.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import type { Catalog } from '../catalog/types.js';
import { pgRestoreList } from '../engines/postgres/dump.js';
import { messageOf } from '../errors.js';
import { isAbortError, StorageError } from '../storage/errors.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import type { Db } from '../store/db.js';
import { backupPrefix, Manifest } from './manifest.js';
import { CorruptBackupError, damage, openBackup, readManifest, storedSha256 } from './read-backup.js';
import { setBackupStatus } from './set-status.js';
import { mapLimit } from './store-files.js';
import { makeScratchDir } from '../worker/scratch.js';

export type Verdict =
  { status: 'verified' } | { status: 'corrupt'; reason: string } | { status: 'unverifiable'; reason: string };

export interface VerifyOptions {
  /**
   * false: the check right after a backup is written (whose original checksums were computed
   * from pg_dump's files as they streamed to storage): what is stored is re-read and hashed, and
   * the table of contents decrypted and listed, but data files are not decompressed again.
   * `lifeboat backup verify` (the default, true) checks everything.
   */
  contents?: boolean;
  /**
   * The SHA-256 of a toc.dat that pg_restore --list has already read (the backup's own, listed
   * when it was written). If the stored table of contents still decrypts to exactly those bytes,
   * listing it again would prove nothing more: it is checked, not listed.
   */
  tocListed?: string;
}

/**
 * Verifies a backup and records the verdict (the backup's status, and an audit event by `actor`,
 * default `worker`).
 */
export async function verifyBackup(
  deps: { db: Db; catalog: Catalog; storage?: Storage; signal?: AbortSignal },
  backupId: string,
  opts: VerifyOptions & { actor?: string; requestId?: string | null } = {},
): Promise<Verdict> {
  const row = await deps.db.selectFrom('backups').selectAll().where('id', '=', backupId).executeTakeFirstOrThrow();
  const database = deps.catalog.databases[row.database];
  const storageCfg = deps.catalog.storage[row.storage];
  const storage = deps.storage ?? (storageCfg ? openCatalogStorage(storageCfg) : undefined);
  let verdict: Verdict;
  if (!storage) verdict = { status: 'unverifiable', reason: `storage ${row.storage} is no longer in lifeboat.yaml` };
  else {
    verdict = await check(
      opts,
      storage,
      backupPrefix(row.database, backupId),
      backupId,
      Manifest.parse(row.manifest),
      database,
      deps.signal,
    );
    if (!deps.storage) await storage.close?.();
  }
  const event =
    verdict.status === 'verified' ? 'verify_ok' : verdict.status === 'corrupt' ? 'verify_failed' : 'verify_unreadable';
  await setBackupStatus(deps.db, backupId, event, {
    // an inconclusive verification proves nothing: the last conclusive one keeps its time, and a
    // backup known to be corrupt keeps the reason why
    set: (to) =>
      verdict.status === 'unverifiable'
        ? to === 'corrupt'
          ? {}
          : { verify_error: verdict.reason }
        : { verified_at: new Date(), verify_error: verdict.status === 'verified' ? null : verdict.reason },
    // asked for by someone, or anything but a pass, is audited (a pass right after a backup is not)
    ...(opts.actor !== undefined || verdict.status !== 'verified'
      ? {
          audit: {
            actor: opts.actor ?? 'worker',
            action: 'backup.verify',
            outcome: verdict.status === 'verified' ? ('success' as const) : ('failure' as const),
            details:
              verdict.status === 'verified'
                ? { verdict: verdict.status }
                : { verdict: verdict.status, reason: verdict.reason },
            requestId: opts.requestId ?? null,
          },
        }
      : {}),
  });
  return verdict;
}

async function check(
  opts: VerifyOptions,
  storage: Storage,
  prefix: string,
  backupId: string,
  expected: Manifest,
  database: Catalog['databases'][string] | undefined,
  signal?: AbortSignal,
): Promise<Verdict> {
  const contents = opts.contents ?? true;
  let work: string | undefined;
  try {
    const stored = await readManifest(storage, prefix, backupId);
    if (JSON.stringify(stored) !== JSON.stringify(expected)) {
      return { status: 'corrupt', reason: "manifest.json differs from the catalog's copy" };
    }
    const reader = await openBackup(storage, prefix, stored, database);
    // the table of contents is decrypted to disk and listed by pg_restore while the data files
    // are checked (or only checked, if those very bytes were listed already); a file that is
    // corrupt is what the verdict names, before any listing error
    const listing = (async () => {
      const toc = stored.files.find((x) => x.name === 'toc.dat');
      if (toc && toc.sha256 === opts.tocListed) {
        await pipeline(await reader.open(toc, signal), discard());
        return;
      }
      work = await makeScratchDir('verify', backupId);
      if (toc) await pipeline(await reader.open(toc, signal), createWriteStream(join(work, 'toc.dat')));
      await pgRestoreList(work, signal);
    })();
    const checking = mapLimit(
      stored.files.filter((f) => f.name !== 'toc.dat'),
      2,
      async (f) => {
        if (contents) {
          await pipeline(await reader.open(f, signal), discard());
          return;
        }
        const key = `${prefix}${f.stored}`;
        const stat = await storage.stat(key);
        if (!stat) throw new CorruptBackupError(backupId, f.stored, damage.missing());
        if (stat.bytes !== f.storedBytes) {
          throw new CorruptBackupError(backupId, f.stored, damage.size(f.storedBytes, stat.bytes));
        }
        const actual = await storedSha256(storage, key);
        if (actual !== f.storedSha256) {
          throw new CorruptBackupError(backupId, f.stored, damage.sha256(f.storedSha256, actual));
        }
      },
    );
    const failures = (await Promise.allSettled([listing, checking]))
      .filter((r) => r.status === 'rejected')
      .map((r) => r.reason as unknown);
    if (failures.length) throw failures.find((e) => e instanceof CorruptBackupError) ?? failures[0];
    return { status: 'verified' };
  } catch (err) {
    if (err instanceof CorruptBackupError) return { status: 'corrupt', reason: err.reason };
    // the storage could not be read (or the worker stopped): nothing is known about the files
    if (err instanceof StorageError || isAbortError(err) || signal?.aborted) {
      return { status: 'unverifiable', reason: messageOf(err) };
    }
    return { status: 'corrupt', reason: messageOf(err) };
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
  }
}

const discard = () => new Writable({ write: (_c, _e, cb) => cb() });

// `backup fetch` on the server's side: a backup's files as pg_dump wrote them (decrypted,
// decompressed), verified against both checksums as they stream, in the frames of
// src/contract/fetch-stream.ts. The server reads the storage with its own credentials and keys,
// so the client needs neither; the route authorises and audits each fetch
// (src/http/routes/backup-fetch.ts). A file that fails its checksum ends the fetch with that
// error and marks the backup corrupt, as a restore does.
import type { Selectable } from 'kysely';
import type { Catalog } from '../catalog/types.js';
import { type FetchHeader, frame, MAX_DATA_FRAME } from '../contract/fetch-stream.js';
import { LifeboatError } from '../errors.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Db } from '../store/db.js';
import type { BackupTable } from '../store/schema.js';
import { backupPrefix } from './manifest.js';
import { type BackupReader, CorruptBackupError, openBackup, readManifest } from './read-backup.js';
import { markCorrupt } from './set-status.js';

export interface OpenedFetch {
  header: FetchHeader;
  /**
   * The body's frames; a failure becomes an X frame (never a rejection). An unexpected error is
   * an `internal` one in the frame, and is given to `onUnexpected` for the server's log.
   */
  frames(signal: AbortSignal, onUnexpected?: (err: unknown) => void): AsyncGenerator<Buffer>;
  close(): Promise<void>;
}

/** Opens a backup for fetching: its storage, manifest and keys (errors here are the request's). */
export async function openFetch(
  deps: { db: Db; catalog: Catalog },
  row: Selectable<BackupTable>,
  fetchedBy: { actor: string; requestId: string | null },
): Promise<OpenedFetch> {
  const cfg = deps.catalog.storage[row.storage];
  if (!cfg) {
    throw new LifeboatError('config_invalid', `storage ${row.storage} of backup ${row.id} is not in lifeboat.yaml`, {
      hint: 'add it back to lifeboat.yaml to read this backup',
    });
  }
  const storage = openCatalogStorage(cfg);
  let reader: BackupReader;
  try {
    const prefix = backupPrefix(row.database, row.id);
    reader = await openBackup(
      storage,
      prefix,
      await readManifest(storage, prefix, row.id),
      deps.catalog.databases[row.database],
    );
  } catch (err) {
    await storage.close?.();
    if (err instanceof CorruptBackupError) await markFetchedCorrupt(deps.db, err, fetchedBy);
    throw err;
  }
  const files = reader.manifest.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 }));
  return {
    header: { id: row.id, files },
    async *frames(signal, onUnexpected) {
      try {
        yield frame('H', { id: row.id, files });
        for (const f of reader.manifest.files) {
          yield frame('F', { name: f.name, bytes: f.bytes, sha256: f.sha256 });
          for await (const chunk of await reader.open(f, signal)) {
            const buf = chunk as Buffer;
            for (let at = 0; at < buf.length; at += MAX_DATA_FRAME) {
              yield frame('D', buf.subarray(at, at + MAX_DATA_FRAME));
            }
          }
          yield frame('E');
        }
        yield frame('Z');
      } catch (err) {
        if (signal.aborted) return; // the client went away
        if (err instanceof CorruptBackupError) await markFetchedCorrupt(deps.db, err, fetchedBy);
        if (!(err instanceof LifeboatError)) onUnexpected?.(err);
        const body =
          err instanceof LifeboatError
            ? err.toBody()
            : { error: { code: 'internal', message: `the fetch of backup ${row.id} failed; see the server log` } };
        yield frame('X', body);
      }
    },
    close: async () => storage.close?.(),
  };
}

async function markFetchedCorrupt(
  db: Db,
  err: CorruptBackupError,
  by: { actor: string; requestId: string | null },
): Promise<void> {
  await markCorrupt(db, err, { actor: by.actor, by: `backup fetch by ${by.actor}`, requestId: by.requestId }).catch(
    () => {},
  );
}

// Step: fetch files of the archive into a local pg_dump directory, verifying every file's SHA-256
// while reading it (the stored bytes, and the original bytes after decryption and decompression).
// A full restore fetches only what is not table data (toc.dat, large objects); a table-scoped
// restore fetches everything.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BackupFile } from '../../backup/manifest.js';
import type { BackupReader } from '../../backup/read-backup.js';
import { mapLimit } from '../../backup/store-files.js';
import type { RunTracker } from '../progress.js';

export async function fetchArchive(
  reader: BackupReader,
  dir: string,
  files: readonly BackupFile[],
  tracker: RunTracker,
  signal: AbortSignal,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await mapLimit(files, 2, async (f) => {
    await pipeline(await reader.open(f, signal), tracker.countBytes(), createWriteStream(join(dir, f.name)), {
      signal,
    });
  });
  tracker.log(`fetched and verified ${files.length} files (${files.reduce((a, f) => a + f.bytes, 0)} bytes)`);
}

// Step: fetch the archive into a local pg_dump directory, verifying every file's SHA-256 while
// reading it (the stored bytes, and the original bytes after decryption and decompression).
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupReader } from '../../backup/read-backup.js';
import { mapLimit } from '../../backup/store-files.js';
import type { RunTracker } from '../progress.js';

export async function fetchArchive(
  reader: BackupReader,
  dir: string,
  tracker: RunTracker,
  signal: AbortSignal,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  tracker.p.bytesTotal = reader.manifest.totals.bytes;
  const count = () =>
    new Transform({
      transform(chunk: Buffer, _e, cb) {
        tracker.p.bytesDone += chunk.length;
        cb(null, chunk);
      },
    });
  await mapLimit(reader.manifest.files, 2, async (f) => {
    await pipeline(await reader.open(f, signal), count(), createWriteStream(join(dir, f.name)), { signal });
  });
  tracker.log(`fetched and verified ${reader.manifest.files.length} files (${reader.manifest.totals.bytes} bytes)`);
}

// Reading a file while another process (pg_dump) is still writing it: read to the current end,
// and when there is nothing more, wait a moment and read again — until the writer has said the
// file is complete. This lets a backup hash, compress and upload a table's data while pg_dump is
// still dumping it, instead of after.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

export function followFile(path: string, isComplete: () => boolean, signal?: AbortSignal): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    const fh = await open(path, 'r');
    try {
      let position = 0;
      for (;;) {
        signal?.throwIfAborted();
        // read the "complete" flag before reading: whatever was written before it was set is
        // then read by this pass, so a 0-byte read after it really is the end
        const complete = isComplete();
        // read what is there (at most 4 MiB), into a buffer of that size: a fixed large buffer
        // for a small read would keep its whole size alive downstream
        const available = Math.min((await fh.stat()).size - position, 4 << 20);
        if (available <= 0 && complete) return;
        // until the file is complete, read in steps of at least 1 MiB: reading each few
        // kilobytes the writer adds as it adds them costs a whole core in system calls and tiny
        // chunks downstream
        if (!complete && available < 1 << 20) {
          await sleep(15);
          continue;
        }
        const buf = Buffer.allocUnsafe(available);
        const { bytesRead } = await fh.read(buf, 0, available, position);
        if (bytesRead > 0) {
          position += bytesRead;
          yield buf.subarray(0, bytesRead);
        } else if (complete) return;
        else await sleep(15);
      }
    } finally {
      await fh.close();
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 << 20 });
}

// The body of `POST /api/v1/backups/:id/fetch`: a backup's files, decrypted, decompressed (as
// pg_dump wrote them) and verified by the server as they stream, in one response. Shared by the
// server, which writes it, and the CLI, which writes the files into a directory.
//
// A stream of frames: one type byte, a 4-byte big-endian length, the payload.
//   H  the fetch: JSON { id, files: [{ name, bytes, sha256 }] }
//   F  a file begins: JSON { name, bytes, sha256 }
//   D  the file's next bytes
//   E  the file ended and matched its checksums
//   X  the fetch failed: JSON, the API's error document ({ error: { code, message, hint } })
//   Z  the fetch is complete
// A failure after the response has begun (a file that fails its checksum) is an X frame, so the
// client says what went wrong instead of "the connection closed"; the client also checks every
// file's size and SHA-256 itself, so a truncated or altered transfer is never taken for a file.
import type { Readable } from 'node:stream';
import { z } from 'zod';

export const FETCH_CONTENT_TYPE = 'application/vnd.lifeboat.backup-fetch';

export type FrameType = 'H' | 'F' | 'D' | 'E' | 'X' | 'Z';

export const FetchedFile = z.object({ name: z.string(), bytes: z.number(), sha256: z.string() });
export type FetchedFile = z.infer<typeof FetchedFile>;
export const FetchHeader = z.object({ id: z.string(), files: z.array(FetchedFile) });
export type FetchHeader = z.infer<typeof FetchHeader>;

/** Data frames carry at most this much: a frame is read whole before it is written out. */
export const MAX_DATA_FRAME = 1 << 20;

export function frame(type: FrameType, payload: Buffer | string | object = Buffer.alloc(0)): Buffer {
  const body = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** The frames of a fetch body, in order; throws if the stream ends inside a frame. */
export async function* readFrames(body: Readable): AsyncGenerator<{ type: FrameType; payload: Buffer }> {
  let buf: Buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    while (buf.length >= 5) {
      const length = buf.readUInt32BE(1);
      if (length > MAX_DATA_FRAME + 65_536) throw new Error(`a frame of ${length} bytes is not a fetch frame`);
      if (buf.length < 5 + length) break;
      const type = buf.toString('latin1', 0, 1) as FrameType;
      if (!'HFDEXZ'.includes(type)) throw new Error(`unknown frame type ${JSON.stringify(type)}`);
      yield { type, payload: buf.subarray(5, 5 + length) };
      buf = buf.subarray(5 + length);
    }
  }
  if (buf.length) throw new Error('the fetch ended inside a frame');
}

// The client's side of `backup fetch`: writes the files of a fetch response (frames of
// src/contract/fetch-stream.ts) into a directory, checking each file's size and SHA-256 itself,
// so that a truncated or altered transfer is never left looking like a backup. On any failure
// the files this fetch wrote are removed.
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { FetchedFile, FetchHeader, readFrames } from '../contract/fetch-stream.js';
import { type ErrorCode, LifeboatError } from '../errors.js';

export async function writeFetchedFiles(body: Readable, dir: string): Promise<FetchHeader> {
  const written: string[] = [];
  let header: FetchHeader | undefined;
  let current: { file: FetchedFile; out: WriteStream; hash: ReturnType<typeof createHash>; bytes: number } | undefined;
  const failed = (message: string) =>
    new LifeboatError(
      'storage_failed',
      `unable to fetch ${header ? `backup ${header.id}` : 'the backup'}: ${message}`,
      {
        hint: 'try again; if it persists, check the server log',
      },
    );
  try {
    for await (const { type, payload } of readFrames(body)) {
      switch (type) {
        case 'H':
          header = FetchHeader.parse(JSON.parse(payload.toString('utf8')));
          await mkdir(dir, { recursive: true });
          break;
        case 'F': {
          const file = FetchedFile.parse(JSON.parse(payload.toString('utf8')));
          // a file name is never a path: nothing is written outside the directory
          if (!header || basename(file.name) !== file.name || file.name.startsWith('.')) {
            throw failed(`the server sent an unexpected file name ${JSON.stringify(file.name)}`);
          }
          const path = join(dir, file.name);
          written.push(path);
          current = { file, out: createWriteStream(path), hash: createHash('sha256'), bytes: 0 };
          break;
        }
        case 'D':
          if (!current) throw failed('the server sent data outside a file');
          current.hash.update(payload);
          current.bytes += payload.length;
          if (!current.out.write(payload)) await once(current.out, 'drain');
          break;
        case 'E': {
          if (!current) throw failed('the server ended a file it had not begun');
          const { file, out, hash, bytes } = current;
          current = undefined;
          out.end();
          await once(out, 'close');
          const sha256 = hash.digest('hex');
          if (bytes !== file.bytes || sha256 !== file.sha256) {
            throw failed(
              `${file.name} arrived with ${bytes} bytes and SHA-256 ${sha256}, expected ${file.bytes} bytes and ${file.sha256}`,
            );
          }
          break;
        }
        case 'X': {
          const e = (
            JSON.parse(payload.toString('utf8')) as { error?: { code?: string; message?: string; hint?: string } }
          ).error;
          throw new LifeboatError((e?.code ?? 'internal') as ErrorCode, e?.message ?? 'the fetch failed', {
            hint: e?.hint,
          });
        }
        case 'Z':
          if (!header || current) throw failed('the server ended the fetch early');
          return header;
        default: {
          const never: never = type;
          throw failed(`unknown frame ${String(never)}`);
        }
      }
    }
    throw failed('the connection closed before the fetch was complete');
  } catch (err) {
    current?.out.destroy();
    for (const path of written) await rm(path, { force: true });
    throw err instanceof LifeboatError ? err : failed((err as Error).message);
  }
}

// Shared pieces of the storage and crypto tests: a real S3-compatible server (s3rver) on a
// free loopback port, temporary directories, deterministic binary data and stream helpers.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { selfSignedCertificate } from '../harness/certificate.js';

export const MiB = 1024 * 1024;

/** s3rver's built-in key pair. */
export const S3RVER_KEY = { id: 'S3RVER', secret: 'S3RVER' };

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** With `tls`: the self-signed certificate (PEM file) to trust, for localhost and 127.0.0.1. */
  ca?: string;
  close(): Promise<void>;
}

/**
 * Starts s3rver with one bucket (see s3rver-process.mjs for why in a child process); with `tls`,
 * over HTTPS at https://localhost:PORT with a self-signed certificate made by openssl.
 */
export async function startS3(bucket = 'lifeboat-test', opts: { tls?: boolean } = {}): Promise<TestS3> {
  const dir = tempDir('lifeboat-s3rver-');
  const script = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));
  const tls = opts.tls ? selfSignedCertificate(dir) : undefined;
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', script, join(dir, 'data'), bucket, ...(tls ? [tls.key, tls.cert] : [])],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([once(lines, 'line'), exited.then(() => [undefined])])) as [string?];
  if (first === undefined) throw new Error('s3rver exited before listening');
  const { port } = JSON.parse(first) as { port: number };
  return {
    endpoint: tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    bucket,
    ...(tls ? { ca: tls.cert } : {}),
    async close() {
      child.stdin!.end();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback port with nothing listening on it (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `size` bytes that differ from one call to the next (a seeded SHA-256 counter stream). */
export function binaryData(size: number, seed = 'lifeboat'): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(`${seed}:${size}`).digest();
  for (let off = 0; off < size; off += 32) {
    block.copy(out, off, 0, Math.min(32, size - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** A stream of `data` in chunks of `chunk` bytes (pg_dump writes through 64 KiB pipes). */
export function streamOf(data: Buffer, chunk = 64 * 1024): Readable {
  let off = 0;
  return new Readable({
    read() {
      if (off >= data.length) {
        this.push(null);
        return;
      }
      this.push(data.subarray(off, off + chunk));
      off += chunk;
    },
  });
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Emits `bytesBefore` bytes, then calls `onHalfway` and stays open (an abort) or fails (an error). */
export function stallingStream(bytesBefore: number, then: { fail: Error } | { onHalfway: () => void }): Readable {
  let sent = 0;
  let fired = false;
  return new Readable({
    read() {
      if (sent < bytesBefore) {
        const n = Math.min(64 * 1024, bytesBefore - sent);
        sent += n;
        this.push(Buffer.alloc(n, 7));
        return;
      }
      if (fired) return;
      fired = true;
      if ('fail' in then) this.destroy(then.fail);
      else then.onHalfway();
    },
  });
}

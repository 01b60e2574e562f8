// Shared fixtures for the transformer tests: columns of the common types and two keys.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ColumnInfo } from '../../src/masking/column.js';
import { Secret } from '../../src/lib/secret.js';

export const KEY = new Secret('test-masking-key-one', 'test:key1');
export const OTHER_KEY = new Secret('test-masking-key-two', 'test:key2');

export function col(type: string, over: Partial<ColumnInfo> = {}): ColumnInfo {
  return { table: 'public.customers', name: 'c', type, maxLength: null, nullable: true, unique: false, ...over };
}

/** Feeds `input` through a Transform in chunks of `chunkSize` bytes; returns all it wrote. */
export async function through(stream: NodeJS.ReadWriteStream, input: Buffer, chunkSize: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkSize) chunks.push(input.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline(Readable.from(chunks), stream, sink);
  return Buffer.concat(out);
}

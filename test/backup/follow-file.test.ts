import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { followFile } from '../../src/backup/follow-file.js';

describe('followFile', () => {
  it('reads a file while it grows and ends only once the writer says it is complete', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'follow-')), 'data');
    writeFileSync(path, 'a');
    let complete = false;
    const reading = buffer(followFile(path, () => complete));
    for (const part of ['b', 'cd', 'e'.repeat(100_000)]) {
      await new Promise((r) => setTimeout(r, 30));
      appendFileSync(path, part);
    }
    appendFileSync(path, 'z');
    complete = true;
    const got = (await reading).toString();
    expect(got).toBe(`abcd${'e'.repeat(100_000)}z`);
  });

  it('reads a growing file in steps of at least 1 MiB until it is complete', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'follow-')), 'data');
    writeFileSync(path, '');
    let complete = false;
    const chunks: Buffer[] = [];
    const reading = (async () => {
      for await (const c of followFile(path, () => complete)) chunks.push(c as Buffer);
    })();
    // 2.5 MiB written 16 KiB at a time, as pg_dump does
    const piece = Buffer.alloc(16 << 10, 0x61);
    for (let i = 0; i < 160; i++) {
      appendFileSync(path, piece);
      if (i % 8 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    complete = true;
    await reading;
    expect(Buffer.concat(chunks).length).toBe(160 * piece.length);
    // every read but the last (after completion) took at least 1 MiB
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(1 << 20);
  });

  it('stops with the signal', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'follow-')), 'data');
    writeFileSync(path, 'a');
    const ac = new AbortController();
    const reading = buffer(followFile(path, () => false, ac.signal));
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await expect(reading).rejects.toThrow('stop');
  });
});

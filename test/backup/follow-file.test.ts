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

  it('stops with the signal', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'follow-')), 'data');
    writeFileSync(path, 'a');
    const ac = new AbortController();
    const reading = buffer(followFile(path, () => false, ac.signal));
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await expect(reading).rejects.toThrow('stop');
  });
});

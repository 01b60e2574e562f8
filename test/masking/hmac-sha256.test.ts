// The precomputed-state HMAC-SHA256 is standard HMAC-SHA256: compared with node:crypto over
// random keys (short, block-sized, longer than a block) and messages of every length around the
// block and padding boundaries, ASCII and multibyte.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../src/masking/transformers/hmac-sha256.js';
import { randomText, Rng } from './generators.js';

describe('HmacSha256', () => {
  it('matches node:crypto for 5,000 random keys and messages', () => {
    const rng = new Rng(11);
    const out = new Uint8Array(32);
    for (let i = 0; i < 5000; i++) {
      const key = Buffer.from(Array.from({ length: rng.int(150) }, () => rng.int(256)));
      const message = i % 2 === 0 ? randomText(rng, 80) : 'x'.repeat(rng.int(300));
      new HmacSha256(key).digestString(message, out);
      const want = createHmac('sha256', key).update(message, 'utf8').digest('hex');
      if (Buffer.from(out).toString('hex') !== want)
        throw new Error(`case ${i}: key ${key.length} bytes, message ${JSON.stringify(message)}`);
    }
  });

  it('matches node:crypto at every length from 0 to 200 bytes with one instance reused', () => {
    const h = new HmacSha256(Buffer.from('a key'));
    const out = new Uint8Array(32);
    for (let n = 0; n <= 200; n++) {
      const message = 'é'.repeat(n >> 1) + 'a'.repeat(n & 1);
      h.digestString(message, out);
      expect(Buffer.from(out).toString('hex')).toBe(createHmac('sha256', 'a key').update(message).digest('hex'));
    }
  });
});

// Counts the rows of a COPY data file as it streams by. In a pg_dump directory archive each row
// is one line (text COPY escapes every newline inside a value) and the data ends at the `\.`
// line, after which pg_dump writes empty lines. A data line can never be exactly `\.`: a
// backslash in a value is written as `\\`.
import { Writable } from 'node:stream';

export class RowCounter extends Writable {
  #lines = 0;
  #rows: number | undefined;
  /** Length of the line being read so far, and its first two bytes. */
  #carryLen = 0;
  #carry = '';

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.count(chunk);
    cb();
  }

  /** Counts the lines of the next chunk of the file (keeps nothing of it). */
  count(chunk: Buffer): void {
    let start = 0;
    let i = chunk.indexOf(0x0a);
    while (i !== -1) {
      if (this.#rows === undefined && this.#carryLen + (i - start) === 2) {
        const first = this.#carry + chunk.toString('latin1', start, start + (2 - this.#carryLen));
        if (first === '\\.') this.#rows = this.#lines;
      }
      this.#lines++;
      this.#carryLen = 0;
      this.#carry = '';
      start = i + 1;
      i = chunk.indexOf(0x0a, start);
    }
    const rest = chunk.length - start;
    if (this.#carryLen < 2) this.#carry += chunk.toString('latin1', start, start + Math.min(rest, 2 - this.#carryLen));
    this.#carryLen += rest;
  }

  /** Rows in the file (valid once the stream has finished). */
  get rows(): number {
    return this.#rows ?? this.#lines;
  }
}

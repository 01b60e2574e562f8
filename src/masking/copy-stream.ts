// Masking in the restore stream: a byte-in, byte-out Transform placed between the archive's COPY
// data and the database, so an unmasked value of a masked column is never written anywhere —
// not to the staging database, not to a temporary file.
//
// It is on the hot path of every masked restore, so it works on Buffers and touches as little as
// it can: it splits on 0x0A (in text COPY a data newline is always escaped, so a raw newline ends
// a row), finds field boundaries with indexOf on 0x09, and only decodes and re-encodes the fields
// that have a rule. Every other byte is passed through as the same bytes it came in as: an
// unmasked column is never decoded, so it can never be altered.
import { Transform } from 'node:stream';
import { isLifeboatError, LifeboatError } from '../errors.js';
import { decodeFieldBytes, encodeField } from './copy-codec.js';
import type { AsciiTransformer } from './transformers/context.js';

const LF = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

/**
 * Masks one column's value. `row` holds the decoded ORIGINAL values of the whole row; it is only
 * decoded for rules that declare a second parameter (see `needsRow`), so that single-value rules
 * cost nothing for the columns they do not touch.
 */
export type MaskRule = ((value: string | null, row: (string | null)[]) => string | null) & {
  /** The rule for a plain ASCII field given as bytes (see AsciiTransformer); used when present. */
  readonly ascii?: AsciiTransformer | undefined;
};

export interface MaskPlan {
  /** The table's columns in COPY order (used to check every row's width and in messages). */
  readonly columns: readonly string[];
  /** Rules by column index (0-based, COPY order). */
  readonly rules: ReadonlyMap<number, MaskRule>;
  /** The table, for messages only. */
  readonly table?: string;
}

/**
 * Receives the non-null original values of the masked columns (the leak check samples them). Each
 * one is offered first, and only a value the sampler keeps is turned into a string for it.
 */
export interface ValueSampler {
  offer(columnIndex: number): boolean;
  keep(columnIndex: number, original: string): void;
}

export interface MaskStreamOptions {
  readonly sampler?: ValueSampler | undefined;
  /** Rows of the table before this data (a batch of a table masked in parts), for messages. */
  readonly firstRow?: number | undefined;
}

export interface MaskStats {
  rows: number;
  /** Fields whose masked value differs from the original (and so were re-encoded). */
  rewritten: number;
}

/** A Transform that masks a table's COPY text data as it flows through. */
export function maskCopyStream(plan: MaskPlan, opts: MaskStreamOptions = {}): Transform & { stats: MaskStats } {
  const masker = new CopyMasker(plan, opts);
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        emit(this, masker.write(chunk));
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback) {
      try {
        emit(this, masker.end());
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
  return Object.assign(stream, { stats: masker.stats });
}

/**
 * The output of one chunk, written into one buffer: untouched byte ranges are copied in, masked
 * values encoded straight into it — no Buffer per field, no concatenation of pieces.
 */
class Output {
  #buf: Buffer;
  #len = 0;

  constructor(expected: number) {
    this.#buf = Buffer.allocUnsafe(Math.max(1024, expected + (expected >> 3)));
  }

  copy(src: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.#reserve(to - from);
    this.#len += src.copy(this.#buf, this.#len, from, to);
  }

  string(s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit
    this.#reserve(s.length * 3);
    this.#len += this.#buf.write(s, this.#len, 'utf8');
  }

  result(): Buffer[] {
    return this.#len === 0 ? [] : [this.#buf.subarray(0, this.#len)];
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(bigger, 0, 0, this.#len);
    this.#buf = bigger;
  }
}

function emit(stream: Transform, pieces: Buffer[]): void {
  if (pieces.length === 0) return;
  stream.push(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces));
}

/** The stream's engine, usable without a stream (benchmarks feed it chunks directly). */
export class CopyMasker {
  readonly stats: MaskStats = { rows: 0, rewritten: 0 };
  readonly #plan: MaskPlan;
  readonly #sampler: ValueSampler | undefined;
  readonly #firstRow: number;
  /** Masked column indexes, ascending, so output pieces are emitted in byte order. */
  readonly #masked: number[];
  readonly #rules: MaskRule[];
  readonly #needsRow: boolean;
  readonly #width: number;
  // Field boundaries of the current row, reused for every row.
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  /** Bytes of an unfinished row, carried to the next chunk (a row or a character may straddle chunks). */
  #pending: Buffer[] = [];
  /** After the `\.` end marker nothing is data any more: pass the rest through untouched. */
  #ended = false;

  constructor(plan: MaskPlan, opts: MaskStreamOptions = {}) {
    this.#plan = plan;
    this.#sampler = opts.sampler;
    this.#firstRow = opts.firstRow ?? 0;
    this.#width = plan.columns.length;
    this.#masked = [...plan.rules.keys()].sort((a, b) => a - b);
    for (const i of this.#masked) {
      if (!Number.isInteger(i) || i < 0 || i >= this.#width) {
        throw new LifeboatError(
          'internal',
          `the masking plan of ${plan.table ?? 'a table'} has a rule for column #${i}, which does not exist`,
        );
      }
    }
    this.#rules = this.#masked.map((i) => plan.rules.get(i)!);
    // A rule written as (value, row) => … needs the decoded row; (value) => … does not, and
    // decoding every field of every row would cost as much as the rest of the stream together.
    this.#needsRow = this.#rules.some((r) => r.length >= 2);
    this.#starts = new Int32Array(this.#width);
    this.#ends = new Int32Array(this.#width);
  }

  /** Takes the next chunk; returns the output ready so far, in order. */
  write(chunk: Buffer): Buffer[] {
    if (this.#ended || this.#masked.length === 0) return chunk.length > 0 ? [chunk] : [];
    let buf: Buffer;
    if (this.#pending.length === 0) {
      buf = chunk;
    } else if (chunk.indexOf(LF) === -1) {
      // Still inside one row (tiny chunks, long rows): collect, do not re-concatenate every time.
      this.#pending.push(chunk);
      return [];
    } else {
      buf = Buffer.concat([...this.#pending, chunk]);
      this.#pending = [];
    }
    const out = new Output(buf.length);
    let start = 0;
    let passFrom = 0;
    let searchFrom = 0;
    for (;;) {
      const nl = buf.indexOf(LF, searchFrom);
      if (nl === -1) break;
      searchFrom = nl + 1;
      // PostgreSQL reads backslash-newline as an escaped newline inside the value, not a row end.
      if (isEscaped(buf, start, nl)) continue;
      passFrom = this.#row(buf, start, nl, passFrom, out);
      start = nl + 1;
      if (this.#ended) {
        start = buf.length;
        break;
      }
    }
    out.copy(buf, passFrom, start);
    if (start < buf.length) this.#pending = [buf.subarray(start)];
    return out.result();
  }

  /** Ends the data: a last row without its newline is still a row. */
  end(): Buffer[] {
    if (this.#pending.length === 0) return [];
    const buf = Buffer.concat(this.#pending);
    this.#pending = [];
    if (this.#ended) return [buf];
    const out = new Output(buf.length);
    const passFrom = this.#row(buf, 0, buf.length, 0, out);
    out.copy(buf, passFrom, buf.length);
    return out.result();
  }

  /**
   * Masks the row buf[start, end). Bytes before `passFrom` have already been written out; the
   * row's untouched bytes are left for the caller to copy in one piece with their neighbours.
   * Returns the new `passFrom`.
   */
  #row(buf: Buffer, start: number, end: number, passFrom: number, out: Output): number {
    if (end - start === 2 && buf[start] === BACKSLASH && buf[start + 1] === DOT) {
      this.#ended = true;
      return passFrom;
    }
    this.stats.rows++;
    this.#split(buf, start, end);
    const row = this.#needsRow ? this.#decodeRow(buf) : [];
    for (let k = 0; k < this.#masked.length; k++) {
      const col = this.#masked[k]!;
      const fs = this.#starts[col]!;
      const fe = this.#ends[col]!;
      const rule = this.#rules[k]!;
      let masked: string | null;
      try {
        if (rule.ascii !== undefined && !this.#needsRow && isPlainAscii(buf, fs, fe)) {
          // The bytes are the value: no string is made of it unless the sampler keeps it.
          if (this.#sampler?.offer(col)) this.#sampler.keep(col, buf.toString('latin1', fs, fe));
          masked = rule.ascii(buf, fs, fe);
          if (masked !== null && masked.length === fe - fs && masked === buf.toString('latin1', fs, fe)) continue;
        } else {
          const original = this.#needsRow ? row[col]! : decodeFieldBytes(buf, fs, fe);
          if (original !== null && this.#sampler?.offer(col)) this.#sampler.keep(col, original);
          masked = rule(original, row);
          // Unchanged: keep the original bytes (they may be a non-canonical but valid encoding).
          if (masked === original) continue;
        }
      } catch (err) {
        throw this.#failure(col, err);
      }
      out.copy(buf, passFrom, fs);
      out.string(encodeField(masked));
      passFrom = fe;
      this.stats.rewritten++;
    }
    return passFrom;
  }

  /** Fills #starts/#ends with the row's field boundaries; the row must have exactly #width fields. */
  #split(buf: Buffer, start: number, end: number): void {
    let field = 0;
    let from = start;
    this.#starts[0] = start;
    if (this.#width === 1) {
      // No tab is expected, so indexOf would run on to the end of the chunk for every row.
      for (let i = start; i < end; i++) if (buf[i] === TAB && !isEscaped(buf, start, i)) throw this.#widthError(2);
      this.#ends[0] = end;
      return;
    }
    for (;;) {
      // Unbounded indexOf is fine here: every row of a table with two or more columns has a tab,
      // so a search that overruns this row stops at the next row's first tab.
      const t = buf.indexOf(TAB, from);
      if (t === -1 || t >= end) break;
      from = t + 1;
      if (isEscaped(buf, start, t)) continue;
      if (field + 1 >= this.#width) throw this.#widthError(field + 2 + this.#countTabs(buf, from, end));
      this.#ends[field] = t;
      this.#starts[++field] = t + 1;
    }
    if (field + 1 !== this.#width) throw this.#widthError(field + 1);
    this.#ends[field] = end;
  }

  #countTabs(buf: Buffer, from: number, end: number): number {
    let n = 0;
    for (let i = from; i < end; i++) if (buf[i] === TAB && !isEscaped(buf, from, i)) n++;
    return n;
  }

  #decodeRow(buf: Buffer): (string | null)[] {
    const row: (string | null)[] = new Array(this.#width);
    for (let i = 0; i < this.#width; i++) row[i] = decodeFieldBytes(buf, this.#starts[i]!, this.#ends[i]!);
    return row;
  }

  #widthError(found: number): LifeboatError {
    // A width mismatch means the plan's column order is not the data's: masking by index would
    // then mask the wrong column and leave the right one in clear, so it is fatal.
    const { table, columns } = this.#plan;
    return new LifeboatError(
      'internal',
      `unable to mask ${table ?? 'the table'}: row ${this.#firstRow + this.stats.rows} has ${found} fields but the masking plan expects ${columns.length} (${columns.join(', ')})`,
      { hint: 'the COPY column list and the masking plan must come from the same table definition' },
    );
  }

  #failure(col: number, err: unknown): LifeboatError {
    const where = `${this.#plan.table ?? 'the table'}.${this.#plan.columns[col] ?? `#${col}`}, row ${this.#firstRow + this.stats.rows}`;
    // Only our own messages are repeated: a foreign error (a regex engine, a parser) may quote the
    // value, and the value is the personal data we are protecting, so it is neither quoted nor chained.
    if (isLifeboatError(err)) {
      return new LifeboatError(err.code, `unable to mask ${where}: ${err.message}`, {
        ...(err.hint === undefined ? {} : { hint: err.hint }),
      });
    }
    const name = err instanceof Error ? err.name : typeof err;
    return new LifeboatError('internal', `unable to mask ${where}: the transform failed (${name})`);
  }
}

/** True when buf[start, end) is all ASCII without a backslash, so its bytes are its value (`\N` has one). */
function isPlainAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === BACKSLASH || b >= 0x80) return false;
  }
  return true;
}

/** True when the byte at `at` is escaped: preceded by an odd run of backslashes (from `floor`). */
export function isEscaped(buf: Uint8Array, floor: number, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= floor && buf[i] === BACKSLASH; i--) n++;
  return (n & 1) === 1;
}

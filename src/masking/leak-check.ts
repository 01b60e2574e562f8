// The leak check: the last line of defence before the swap. While the stream masks a table it
// offers every original value of each masked column to a LeakSampler, which keeps a bounded,
// uniform sample (a reservoir); after the restore, one query per masked column counts how many of
// those originals are present in the restored column. Any hit means an original value survived
// masking (a rule that matches nothing, a transform that is the identity for some values, a
// column the plan missed), and the run fails before the destination is touched.
import pg from 'pg';
import type { Transform } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import type { ValueSampler } from './copy-stream.js';

export const DEFAULT_SAMPLE_SIZE = 1000;

/**
 * Transforms for which a hit is a leak. The others may legitimately write a value that is some
 * other row's original — a fake name is a real name ("Ava Novak" may be a customer too), a shifted
 * date is another customer's birthday, a noisy amount another's amount, a fixed value may occur —
 * so for them a hit proves nothing and the check would fail healthy runs. token, hash and email
 * write into a namespace real data does not use; redact and regex_replace exist to change every
 * value, and one they leave unchanged is exactly what the check is for.
 */
const LEAK_CHECKED: ReadonlySet<Transform> = new Set<Transform>(['token', 'hash', 'email', 'redact', 'regex_replace']);

export function leakCheckApplies(transform: Transform): boolean {
  return LEAK_CHECKED.has(transform);
}

export interface LeakSamplerOptions {
  /** Originals kept per column (default 1000). */
  readonly capacity?: number;
  /** Seed of the sampling choices (tests); random by default. */
  readonly seed?: number;
}

/** A bounded uniform sample of the original values of each masked column of one table. */
export class LeakSampler implements ValueSampler {
  readonly #capacity: number;
  readonly #reservoirs = new Map<number, { seen: number; values: string[]; slot: number }>();
  #state: number;

  constructor(opts: LeakSamplerOptions = {}) {
    this.#capacity = opts.capacity ?? DEFAULT_SAMPLE_SIZE;
    if (!Number.isInteger(this.#capacity) || this.#capacity < 1)
      throw new RangeError('LeakSampler capacity must be a positive integer');
    this.#state = (opts.seed ?? Math.floor(Math.random() * 0x7fffffff)) | 0 || 1;
  }

  /**
   * Counts one more original value of the column and says whether it is to be kept; when it is,
   * `keep` must follow with the value. Algorithm R: the n-th value replaces a random kept one with
   * probability capacity/n, so every value is equally likely to be kept, in O(1) time and
   * O(capacity) memory however large the table is. Split in two so that the stream decodes only
   * the few values that are kept, not every value it offers.
   */
  offer(columnIndex: number): boolean {
    let r = this.#reservoirs.get(columnIndex);
    if (r === undefined) {
      r = { seen: 0, values: [], slot: -1 };
      this.#reservoirs.set(columnIndex, r);
    }
    r.seen++;
    let slot = r.values.length;
    if (slot >= this.#capacity) {
      slot = this.#next() % r.seen;
      if (slot >= this.#capacity) slot = -1;
    }
    r.slot = slot;
    return slot >= 0;
  }

  /** Keeps the value just offered (and accepted) for the column. */
  keep(columnIndex: number, original: string): void {
    const r = this.#reservoirs.get(columnIndex);
    if (r === undefined || r.slot < 0) return;
    const slot = r.slot;
    r.slot = -1;
    // A value without a letter or a digit ("", "-", "  ") carries no personal data, and redact or
    // a regex may rightly leave it as it is: sampling it would only produce false alarms.
    if (!HAS_ALNUM.test(original)) return;
    r.values[slot] = original;
  }

  /** Offers one original value and keeps it if chosen. */
  readonly add = (columnIndex: number, original: string): void => {
    if (this.offer(columnIndex)) this.keep(columnIndex, original);
  };

  /**
   * Folds in another sample of the column: `values`, a uniform sample of `seen` values that this
   * sampler was not offered (another thread's share of the table). The result is a uniform sample
   * of both: how many places each side gets is drawn as if the two populations were sampled
   * together without replacement, then that many are taken at random from each side's sample.
   */
  absorb(columnIndex: number, seen: number, values: readonly string[]): void {
    let r = this.#reservoirs.get(columnIndex);
    if (r === undefined) {
      r = { seen: 0, values: [], slot: -1 };
      this.#reservoirs.set(columnIndex, r);
    }
    let mine = r.seen;
    let theirs = seen;
    const places = Math.min(this.#capacity, mine + theirs);
    let fromMine = 0;
    for (let i = 0; i < places; i++) {
      if (this.#next() % (mine + theirs) < mine) {
        fromMine++;
        mine--;
      } else {
        theirs--;
      }
    }
    r.values = [...this.#choose(r.values, fromMine), ...this.#choose(values, places - fromMine)];
    r.seen += seen;
    r.slot = -1;
  }

  /** `n` of `values` at random (all of them when there are not more). */
  #choose(values: readonly string[], n: number): string[] {
    const a = [...values];
    if (n >= a.length) return a;
    for (let i = 0; i < n; i++) {
      const j = i + (this.#next() % (a.length - i));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.slice(0, n);
  }

  /** Every original value offered for the column, sampled or not. */
  seen(columnIndex: number): number {
    return this.#reservoirs.get(columnIndex)?.seen ?? 0;
  }

  sample(columnIndex: number): readonly string[] {
    return this.#reservoirs.get(columnIndex)?.values ?? [];
  }

  columns(): number[] {
    return [...this.#reservoirs.keys()].sort((a, b) => a - b);
  }

  /** xorshift32: fast and plenty for choosing sample slots (nothing secret depends on it). */
  #next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x;
    return x >>> 0;
  }
}

const HAS_ALNUM = /[\p{L}\p{N}]/u;

export interface QualifiedName {
  readonly schema?: string;
  readonly name: string;
}

/**
 * Reads a table reference as SQL would: `public.customers`, `customers`, `"Sales Dept"."Order"`.
 * Unquoted parts fold to lower case, quoted parts keep their case and `""` stands for `"`.
 */
export function parseQualifiedName(ref: string): QualifiedName {
  const parts: string[] = [];
  let i = 0;
  const bad = () =>
    new LifeboatError('config_invalid', `${ref} is not a table name`, {
      hint: 'write schema.table, and double-quote names with spaces or capitals: "Sales Dept"."Order"',
    });
  while (i <= ref.length) {
    if (ref[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= ref.length) throw bad();
        if (ref[i] === '"') {
          if (ref[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += ref[i++];
      }
      if (part === '') throw bad();
      parts.push(part);
    } else {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(ref.slice(i));
      if (!m) throw bad();
      // PostgreSQL folds only ASCII letters of unquoted identifiers
      parts.push(m[0].replace(/[A-Z]+/g, (s) => s.toLowerCase()));
      i += m[0].length;
    }
    if (i === ref.length) break;
    if (ref[i] !== '.') throw bad();
    i++;
  }
  if (parts.length === 1) return { name: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, name: parts[1]! };
  throw bad();
}

/** `schema.table` as lifeboat.yaml writes it: a part is quoted only when it must be. */
export function tableLabel(schema: string, table: string): string {
  const part = (s: string) => (/^[a-z_][a-z0-9_]*$/.test(s) ? s : pg.escapeIdentifier(s));
  return `${part(schema)}.${part(table)}`;
}

export function quoteQualifiedName(table: QualifiedName): string {
  return table.schema === undefined
    ? pg.escapeIdentifier(table.name)
    : `${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(table.name)}`;
}

export interface LeakQuery {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * Counts how many distinct sampled originals are present in the restored column (result column
 * `hits`). The originals travel as one text[] parameter, never inside the SQL text, and the join
 * lets PostgreSQL hash them and read the table once. The column is compared as text: the samples
 * are the COPY text of the originals, which is what ::text prints for the text and uuid columns
 * these transforms write.
 * @param table a reference as written in the config (`"Sales Dept"."Order"`) or already parsed
 * @param column the column's name, unquoted
 */
export function leakCheckQuery(table: string | QualifiedName, column: string, samples: readonly string[]): LeakQuery {
  const t = typeof table === 'string' ? parseQualifiedName(table) : table;
  const text =
    `select count(distinct s.v)::int as hits from unnest($1::text[]) as s(v) ` +
    `join ${quoteQualifiedName(t)} as t on t.${pg.escapeIdentifier(column)}::text = s.v`;
  return { text, values: [[...samples]] };
}

/** The error that fails a run whose leak check found originals; it never quotes them. */
export function leakError(
  columnLabel: string,
  transform: Transform,
  hits: number,
  sampled: number,
  refused = 'unable to swap the restored database',
): LifeboatError {
  return new LifeboatError(
    'blocked_by_check',
    `${refused}: ${hits} of ${sampled} sampled original values of ${columnLabel} (${transform}) are still present after masking`,
    {
      hint: `fix the rule for ${columnLabel} so it changes every value (a regex_replace pattern must match every value), then run the restore again`,
    },
  );
}

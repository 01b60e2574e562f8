// Seeded generators for the masking property tests (fast-check is not a dependency): a small,
// well-mixed PRNG (sfc32) and value generators biased towards what breaks COPY codecs —
// backslashes, tabs, newlines, CRs, `\N`, `\.`, other control characters, multibyte UTF-8,
// surrogate pairs, array and json literals. A failing case prints its seed and index.

export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed | 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** uint32 */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  int(maxExclusive: number): number {
    return this.next() % maxExclusive;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

const NASTY = [
  '\\',
  '\\',
  '\t',
  '\n',
  '\r',
  '\b',
  '\f',
  '\v',
  'N',
  '.',
  '\\N',
  '\\.',
  '\\\\',
  '\\t',
  '\x01',
  '\x1f',
  '\x7f',
  ' ',
  '"',
  ',',
  '{',
  '}',
  '\u00a0',
];
const MULTIBYTE = [
  'é',
  'ß',
  'Ł',
  'ø',
  '中',
  '文',
  '字',
  'ア',
  '한',
  'Ж',
  'ع',
  'ש',
  '€',
  '😀',
  '🚣',
  '𝒜',
  'e\u0301',
  '\u200d',
  '\ufeff',
  '\u2028',
];

/** Any code point except NUL and lone surrogates (PostgreSQL text cannot hold NUL; UTF-8 cannot hold lone surrogates). */
function anyCodePoint(rng: Rng): string {
  for (;;) {
    const r = rng.int(4);
    const cp =
      r === 0
        ? 1 + rng.int(0x7f)
        : r === 1
          ? 0x80 + rng.int(0x780)
          : r === 2
            ? 0x800 + rng.int(0xf800)
            : 0x10000 + rng.int(0x100000);
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    return String.fromCodePoint(cp);
  }
}

export function randomText(rng: Rng, maxLength = 24): string {
  const n = rng.int(maxLength + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng.int(10);
    if (r < 4) s += rng.pick(NASTY);
    else if (r < 6) s += rng.pick(MULTIBYTE);
    else if (r < 8) s += String.fromCharCode(0x20 + rng.int(0x5f));
    else s += anyCodePoint(rng);
  }
  return s;
}

export function randomArrayLiteral(rng: Rng): string {
  const n = rng.int(5);
  const items: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.int(4);
    if (r === 0) items.push('NULL');
    else if (r === 1) items.push(String(rng.int(1000)));
    // quoted element with array-level escaping of " and \
    else items.push(`"${randomText(rng, 8).replace(/[\\"]/g, '\\$&')}"`);
  }
  return `{${items.join(',')}}`;
}

export function randomJson(rng: Rng, depth = 0): string {
  const obj: Record<string, unknown> = {};
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const r = rng.int(depth < 2 ? 6 : 4);
    const key = randomText(rng, 6);
    if (r === 0) obj[key] = randomText(rng, 12);
    else if (r === 1) obj[key] = rng.int(1_000_000) / 100;
    else if (r === 2) obj[key] = rng.chance(0.5) ? null : rng.chance(0.5);
    else if (r === 3) obj[key] = [randomText(rng, 5), rng.int(9)];
    else obj[key] = JSON.parse(randomJson(rng, depth + 1));
  }
  return JSON.stringify(obj);
}

/** A value of any of the shapes above, or NULL. */
export function randomValue(rng: Rng): string | null {
  const r = rng.int(20);
  if (r === 0) return null;
  if (r === 1) return rng.pick(['', '\\N', '\\.', '\\\\N', 'N', '\\', '\t', '\n', '\r\n', 'NULL', '\\N\\N', '\\Nx']);
  if (r === 2) return randomArrayLiteral(rng);
  if (r === 3) return randomJson(rng);
  return randomText(rng);
}

// PostgreSQL's text-format COPY codec: the exact inverse pair of what the server does in
// CopyReadAttributesText (decode) and CopyAttributeOutText (encode), so that a value that goes
// through masking untouched, or a masked value written back, is byte-for-byte what PostgreSQL
// would have produced. Getting this wrong silently corrupts data (or, worse, turns the literal
// text `\N` into NULL), so every branch here mirrors a branch of the server's C code.
//
// Three things make the format subtle:
//   - NULL is the raw field `\N`, recognised BEFORE de-escaping; the text `\N` is sent as `\\N`.
//   - Escapes produce BYTES, not characters: `\303\251` is the two bytes of "é" in UTF-8. So
//     fields with escapes are decoded to bytes first and only then read as UTF-8.
//   - A backslash escapes whatever follows it, including a tab or a newline, so splitting a row
//     must skip escaped tabs (PostgreSQL never writes one, but it accepts them on input).
import { isUtf8 } from 'node:buffer';
import { LifeboatError } from '../errors.js';

const BACKSLASH = 0x5c;
const TAB = 0x09;

/** The raw field that stands for SQL NULL. */
export const NULL_FIELD = '\\N';

/** Decodes one raw field (as it appears between tabs) to its value; `\N` is NULL. */
export function decodeField(raw: string): string | null {
  if (raw === NULL_FIELD) return null;
  // Most fields have no escape at all: no allocation, no copy.
  if (!raw.includes('\\')) return raw;
  const bytes = Buffer.from(raw, 'utf8');
  return unescapeBytes(bytes, 0, bytes.length);
}

/**
 * Decodes one raw field held in a byte range of a buffer (the stream's hot path: it never turns
 * unmasked fields into strings). `\N` is NULL.
 */
export function decodeFieldBytes(buf: Buffer, start: number, end: number): string | null {
  if (end - start === 2 && buf[start] === BACKSLASH && buf[start + 1] === 0x4e) return null;
  // One bounded pass finds both backslashes and non-ASCII bytes (indexOf would scan past `end`
  // to the end of the whole chunk). Pure ASCII without escapes, the common case, needs no copy
  // and no UTF-8 validation.
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === BACKSLASH) return unescapeBytes(buf, start, end);
    if (b >= 0x80) ascii = false;
  }
  return ascii ? buf.toString('latin1', start, end) : utf8(buf, start, end);
}

function unescapeBytes(src: Uint8Array, start: number, end: number): string {
  // The decoded field is never longer than its escaped form.
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  let i = start;
  while (i < end) {
    const b = src[i++]!;
    if (b !== BACKSLASH) {
      out[n++] = b;
      continue;
    }
    // A trailing lone backslash: PostgreSQL drops it (it would have escaped the line end).
    if (i >= end) break;
    const c = src[i++]!;
    if (c >= 0x30 && c <= 0x37) {
      // \N, \NN, \NNN octal; PostgreSQL keeps the low 8 bits (\777 is 0xFF).
      let v = c - 0x30;
      for (let k = 0; k < 2 && i < end && src[i]! >= 0x30 && src[i]! <= 0x37; k++) v = v * 8 + (src[i++]! - 0x30);
      out[n++] = v & 0xff;
      continue;
    }
    if (c === 0x78 /* x */ && i < end && hexValue(src[i]!) >= 0) {
      // \xH or \xHH; a bare `\x` with no hex digit after it is just the letter x.
      let v = hexValue(src[i++]!);
      if (i < end && hexValue(src[i]!) >= 0) v = v * 16 + hexValue(src[i++]!);
      out[n++] = v;
      continue;
    }
    out[n++] = simpleEscape(c);
  }
  return utf8(out, 0, n);
}

function simpleEscape(c: number): number {
  switch (c) {
    case 0x62: // b
      return 0x08;
    case 0x66: // f
      return 0x0c;
    case 0x6e: // n
      return 0x0a;
    case 0x72: // r
      return 0x0d;
    case 0x74: // t
      return 0x09;
    case 0x76: // v
      return 0x0b;
    default:
      // `\\` is a backslash, `\.` a dot, `\<tab>` a tab: any other character stands for itself.
      return c;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function utf8(buf: Uint8Array, start: number, end: number): string {
  const slice = buf.subarray(start, end);
  // Masking works on text, and text must be UTF-8 to be masked faithfully: decoding invalid bytes
  // would quietly replace them with U+FFFD and write something else back.
  if (!isUtf8(slice)) {
    throw new LifeboatError('invalid_request', 'unable to decode a COPY field: its bytes are not valid UTF-8', {
      hint: 'masking needs a database with server encoding UTF8',
    });
  }
  return Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength).toString('utf8');
}

// Characters PostgreSQL escapes on output; every other character (including other control
// characters such as \x01 and DEL) is written raw, so we write them raw too.
const NEEDS_ESCAPE = /[\\\b\f\n\r\t\v]/;
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Encodes one value as a raw field: NULL is `\N`, and the text `\N` becomes `\\N`. */
export function encodeField(value: string | null): string {
  if (value === null) return NULL_FIELD;
  if (!NEEDS_ESCAPE.test(value)) return value;
  // One pass, character by character: the escape of one character never swallows the next
  // (the bug of a peer tool that lost the byte after an escaped `\N`).
  let out = '';
  for (const ch of value) out += ESCAPES[ch] ?? ch;
  return out;
}

/** Splits a row (without its line end) on unescaped tabs and decodes every field. */
export function decodeRow(line: string): (string | null)[] {
  const fields: (string | null)[] = [];
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) {
      i++; // the escaped character is data, even a tab
    } else if (c === TAB) {
      fields.push(decodeField(line.slice(start, i)));
      start = i + 1;
    }
  }
  fields.push(decodeField(line.slice(start)));
  return fields;
}

/** Encodes a row's values as one line of COPY text (without the line end). */
export function encodeRow(fields: readonly (string | null)[]): string {
  return fields.map(encodeField).join('\t');
}

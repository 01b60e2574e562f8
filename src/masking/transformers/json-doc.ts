// A lossless JSON reader and writer for json_path. JSON.parse would turn the number 1.10 into
// 1.1 and 12345678901234567890 into 12345678901234567000, and would drop duplicate keys — all of
// which the json type keeps and jsonb's numeric keeps — so values that no path touches would
// come out changed. Here numbers stay their source text and objects stay ordered key/value lists.
// Only insignificant whitespace is lost (jsonb does not keep it either).
import { LifeboatError } from '../../errors.js';

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

export class JsonNumber {
  constructor(readonly text: string) {}
}

export class JsonObject {
  constructor(readonly entries: [string, JsonValue][]) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

export function parseJson(text: string): JsonValue {
  const p = { text, at: 0 };
  const value = readValue(p);
  skipSpace(p);
  if (p.at !== text.length) throw malformed();
  return value;
}

export function writeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(writeJson).join(',')}]`;
  return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${writeJson(v)}`).join(',')}}`;
}

interface Cursor {
  readonly text: string;
  at: number;
}

function malformed(): LifeboatError {
  // never quote the document: it is the data being masked
  return new LifeboatError('invalid_request', 'a json value could not be parsed');
}

function skipSpace(p: Cursor): void {
  while (p.at < p.text.length) {
    const c = p.text.charCodeAt(p.at);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
    p.at++;
  }
}

function readValue(p: Cursor): JsonValue {
  skipSpace(p);
  const c = p.text[p.at];
  if (c === '"') return readString(p);
  if (c === '{') return readObject(p);
  if (c === '[') return readArray(p);
  LITERAL.lastIndex = p.at;
  const lit = LITERAL.exec(p.text);
  if (lit) {
    p.at += lit[0].length;
    return lit[0] === 'null' ? null : lit[0] === 'true';
  }
  NUMBER.lastIndex = p.at;
  const num = NUMBER.exec(p.text);
  if (num && num[0].length > 0) {
    p.at += num[0].length;
    return new JsonNumber(num[0]);
  }
  throw malformed();
}

function readString(p: Cursor): string {
  const start = p.at;
  let i = start + 1;
  for (;;) {
    const c = p.text.charCodeAt(i);
    if (Number.isNaN(c)) throw malformed();
    if (c === 0x5c) i += 2;
    else if (c === 0x22) break;
    else i++;
  }
  p.at = i + 1;
  try {
    // escapes (\n, \u00e9, surrogate pairs) are exactly JSON.parse's job
    return JSON.parse(p.text.slice(start, p.at)) as string;
  } catch {
    throw malformed();
  }
}

function readArray(p: Cursor): JsonValue[] {
  p.at++;
  const out: JsonValue[] = [];
  skipSpace(p);
  if (p.text[p.at] === ']') {
    p.at++;
    return out;
  }
  for (;;) {
    out.push(readValue(p));
    skipSpace(p);
    const c = p.text[p.at++];
    if (c === ']') return out;
    if (c !== ',') throw malformed();
  }
}

function readObject(p: Cursor): JsonObject {
  p.at++;
  const entries: [string, JsonValue][] = [];
  skipSpace(p);
  if (p.text[p.at] === '}') {
    p.at++;
    return new JsonObject(entries);
  }
  for (;;) {
    skipSpace(p);
    if (p.text[p.at] !== '"') throw malformed();
    const key = readString(p);
    skipSpace(p);
    if (p.text[p.at++] !== ':') throw malformed();
    entries.push([key, readValue(p)]);
    skipSpace(p);
    const c = p.text[p.at++];
    if (c === '}') return new JsonObject(entries);
    if (c !== ',') throw malformed();
  }
}

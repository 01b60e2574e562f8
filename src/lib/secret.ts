// A secret is a type, not a string: it prints as *** in logs, JSON, errors and util.inspect.
// Only `reveal()` hands the value out, so every place that uses the real value is greppable.
import { inspect } from 'node:util';

const REDACTED = '***';

export class Secret {
  readonly #value: string;
  /** Where the value came from, safe to print: `env:NAME` or `file:PATH`. */
  readonly source: string;

  constructor(value: string, source = 'inline') {
    this.#value = value;
    this.source = source;
    Object.freeze(this);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}

/**
 * Removes every occurrence of the given secrets (and passwords inside connection URLs) from a text,
 * for messages that come from child processes or drivers and may echo a connection string.
 */
export function redact(text: string, secrets: Iterable<Secret | string> = []): string {
  let out = text;
  for (const s of secrets) {
    const v = typeof s === 'string' ? s : s.reveal();
    if (v.length >= 4) out = out.split(v).join(REDACTED);
  }
  // postgres://user:password@host → postgres://user:***@host
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi, `$1${REDACTED}@`);
  // password=... in libpq keyword strings
  out = out.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, `$1${REDACTED}`);
  return out;
}

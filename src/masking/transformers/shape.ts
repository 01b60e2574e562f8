// Transforms that need no key: null, a fixed value, redaction that keeps the value's shape, and a
// regular-expression replacement. They are not derived from the input, so they carry nothing of it
// (except, for redact, its length and punctuation, which is the point of "keep the shape").
import { type TransformContext, optionError, stringOption, type ValueTransformer } from './context.js';

export function nullTransformer(): ValueTransformer {
  return () => null;
}

/** Every value, NULL included, becomes `value` (a string, number, boolean or null). */
export function fixedTransformer(ctx: TransformContext): ValueTransformer {
  const value = fixedValue(ctx);
  return () => value;
}

export function fixedValue(ctx: Pick<TransformContext, 'options' | 'rule' | 'column'>): string | null {
  if (!('value' in ctx.options)) throw optionError(ctx, 'option value is required');
  const v = ctx.options.value;
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw optionError(ctx, 'option value must be a string, a number, a boolean or null');
}

/**
 * Upper-case letters become X, other letters x, digits 0; everything else (spaces, punctuation,
 * symbols) stays, so the length in characters and the layout survive: "Jane O'Neil, 42" →
 * "Xxxx X'Xxxx, 00".
 */
export function redactTransformer(): ValueTransformer {
  return (value) => (value === null ? null : redact(value));
}

const UPPER = /\p{Lu}|\p{Lt}/u;
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

export function redact(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    // ASCII first without regexes: most data is ASCII and this runs once per character
    if (c < 0x80) {
      if (c >= 0x41 && c <= 0x5a) out += 'X';
      else if (c >= 0x61 && c <= 0x7a) out += 'x';
      else if (c >= 0x30 && c <= 0x39) out += '0';
      else out += ch;
    } else if (UPPER.test(ch)) out += 'X';
    else if (LETTER.test(ch)) out += 'x';
    else if (DIGIT.test(ch)) out += '0';
    else out += ch;
  }
  return out;
}

/** options: pattern (JavaScript syntax), replacement (default ''; $1 … refer to groups), flags (default g). */
export function regexReplaceTransformer(ctx: TransformContext): ValueTransformer {
  const re = compilePattern(ctx);
  const replacement = stringOption(ctx, 'replacement', '');
  return (value) => (value === null ? null : value.replace(re, replacement));
}

export function compilePattern(ctx: TransformContext): RegExp {
  const pattern = stringOption(ctx, 'pattern');
  const flags = stringOption(ctx, 'flags', 'g');
  if (!/^[gimsuy]*$/.test(flags)) throw optionError(ctx, 'option flags may only hold g, i, m, s, u and y');
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    throw optionError(ctx, `option pattern is not a valid regular expression (${(err as Error).message})`);
  }
}

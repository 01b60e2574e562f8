// Parsing of CLI flag values into typed values, with usage errors that say what was expected.
import { LifeboatError } from '../errors.js';

export function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new LifeboatError('invalid_request', `invalid port "${text}"`, {
      hint: 'use a number between 0 and 65535',
    });
  }
  return n;
}

export function parseList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

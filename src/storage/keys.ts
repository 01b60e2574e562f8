// Object keys are `/`-separated relative paths. They are validated at the driver boundary, the
// same way for every driver, so that a key can never climb out of a filesystem root (`..`), name
// an absolute path, or collide with the filesystem driver's in-progress files.
import { LifeboatError } from '../errors.js';
import { abortError } from './errors.js';

/** The marker of a filesystem write in progress: `<key>.partial-<random>`. Never a valid key. */
export const PARTIAL_MARKER = '.partial-';

function invalid(what: string, value: string, problem: string): LifeboatError {
  return new LifeboatError('invalid_request', `invalid storage ${what} ${JSON.stringify(value)}: ${problem}`, {
    hint: 'keys are relative paths such as backups/customer/2024-05-01T0300/toc.dat',
  });
}

function segmentProblem(segment: string, isLast: boolean): string | undefined {
  if (segment === '') return 'it has an empty path segment (a leading, doubled or trailing /)';
  if (segment === '.' || segment === '..') return `it has a "${segment}" path segment`;
  if (isLast && segment.includes(PARTIAL_MARKER)) return `"${PARTIAL_MARKER}" is reserved for writes in progress`;
  return undefined;
}

function charProblem(value: string): string | undefined {
  if (value.includes('\\')) return 'it contains a backslash (use /)';
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'it contains a control character';
  return undefined;
}

/** Returns `key` if it is a valid object key; throws `invalid_request` otherwise. */
export function validateKey(key: string): string {
  if (key === '') throw invalid('key', key, 'it is empty');
  if (key.startsWith('/')) throw invalid('key', key, 'it starts with /');
  const chars = charProblem(key);
  if (chars) throw invalid('key', key, chars);
  const segments = key.split('/');
  segments.forEach((segment, i) => {
    const problem = segmentProblem(segment, i === segments.length - 1);
    if (problem) throw invalid('key', key, problem);
  });
  return key;
}

/**
 * Returns `prefix` if it is a valid listing prefix: `''`, a key, a key ending in `/`, or a key
 * whose last segment is partial (`backups/customer/2024-`). Throws `invalid_request` otherwise.
 */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (prefix.startsWith('/')) throw invalid('prefix', prefix, 'it starts with /');
  const chars = charProblem(prefix);
  if (chars) throw invalid('prefix', prefix, chars);
  const segments = prefix.split('/');
  // A trailing "/" leaves one empty last segment: that is the "directory" form, and allowed.
  if (segments.at(-1) === '') segments.pop();
  for (const segment of segments) {
    const problem = segmentProblem(segment, false);
    if (problem) throw invalid('prefix', prefix, problem);
  }
  return prefix;
}

/** A prefix to delete by: as `validatePrefix`, and never `''`, so no slip deletes everything. */
export function validateDeletePrefix(prefix: string): string {
  if (prefix === '') {
    throw new LifeboatError('invalid_request', 'invalid storage prefix "": deleting every object is refused', {
      hint: 'give the prefix of what to delete, such as backups/customer/2024-05-01T0300/',
    });
  }
  return validatePrefix(prefix);
}

/**
 * Why a write cannot start (an invalid key, an aborted signal), or undefined. The driver then
 * destroys the body it was given, as it does on any failure, so a producer is never left hanging.
 */
export function refuseWrite(key: string, signal: AbortSignal | undefined): Error | undefined {
  try {
    validateKey(key);
  } catch (err) {
    return err as Error;
  }
  return signal?.aborted ? abortError(signal) : undefined;
}

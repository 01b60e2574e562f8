// Byte ranges for partial reads. `end` is inclusive, as in HTTP `Range` and fs.createReadStream;
// a range reaching past the end of the object is cut at the end (possibly to nothing).
import { LifeboatError } from '../errors.js';

export interface ByteRange {
  start: number;
  end?: number;
}

export function validateRange(range: ByteRange | undefined): ByteRange | undefined {
  if (range === undefined) return undefined;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new LifeboatError('invalid_request', `invalid byte range ${JSON.stringify(range)}`, {
      hint: 'start and end are byte offsets with 0 <= start <= end; end is inclusive',
    });
  }
  return range;
}

/** The range within an object of `size` bytes: `end` is undefined when nothing is left to read. */
export function clampRange(range: ByteRange | undefined, size: number): { start: number; end: number | undefined } {
  const start = range?.start ?? 0;
  const end = Math.min(range?.end ?? size - 1, size - 1);
  return { start, end: end >= start ? end : undefined };
}

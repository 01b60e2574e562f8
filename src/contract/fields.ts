// The field types every request schema is built from, so that each string and number a client
// sends is bounded and checked once, at the boundary, before it reaches a query or a message:
// a NUL byte that PostgreSQL refuses in text ("invalid byte sequence for encoding UTF8: 0x00"),
// a megabyte that no index takes, `0x2` or `1e3` read as numbers, `?log=false` read as true.
// Refusals never quote the value: the path of the field says which one it was.
import { z } from 'zod';
import { NAME_PATTERN } from '../catalog/schema-values.js';

/** Control and format characters (NUL, escapes, bidi overrides, zero-width) and lone surrogates. */
const NOT_IN_A_LINE = /[\p{Cc}\p{Cf}\p{Cs}]/u;
/**
 * Free text may hold tabs and line breaks, and joiners (emoji), but no other control character,
 * no lone surrogate and none of the bidi controls that make a reviewer read another text than
 * the one stored.
 */
const NOT_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\p{Cs}]/u;

/** A name defined in lifeboat.yaml: database, server, team, user, storage. */
export const catalogName = (what: string) =>
  z
    .string()
    .regex(
      NAME_PATTERN,
      `must be a ${what} name as lifeboat.yaml defines them (a letter, then at most 62 letters, digits, _ . -)`,
    )
    .meta({ description: `a ${what} name from lifeboat.yaml` });

/** One line of text (a name, an identifier typed back, a table): no control or format characters. */
export const line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !NOT_IN_A_LINE.test(s), { message: 'must not contain control or format characters' });

/** Free text (a justification): at most `max` characters, line breaks allowed, no other controls. */
export const freeText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !NOT_IN_TEXT.test(s), {
      message: 'must not contain control characters (other than tabs and line breaks) or bidi controls',
    });

/** Backup ids as Lifeboat makes them (`20240601T020000Z-1a2b`), or as another tool labels them. */
export const backupId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be a backup id such as 20240601T020000Z-1a2b')
  .meta({ description: 'a backup id, as `lifeboat backup list` shows it' });

/** A run id: a decimal number, nothing else (no `0x2`, `1e3`, `+1`, ` 1` or `01`). */
export const runId = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'must be a run id: a positive decimal number')
  .transform(Number)
  .refine(Number.isSafeInteger, { message: 'must be a run id: a positive decimal number' })
  .meta({ description: 'a run id, as `lifeboat restore list` shows it' });

/** An integer in a query string: decimal digits only, within [min, max]. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, `must be a decimal integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .meta({ description: `a decimal integer from ${min} to ${max}` });

/** A boolean in a query string: `true`/`1` or `false`/`0`, and nothing else means either. */
export const queryBoolean = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false (or 1 or 0)' })
  .transform((v) => v === 'true' || v === '1')
  .meta({ description: 'true or 1, false or 0' });

// Does a rule's output fit its column? Checked for every rule against the backup's schema before
// a restore writes anything, because the alternative is finding out from PostgreSQL half-way
// through a table ("value too long", "duplicate key", "null value violates not-null") — or not
// finding out at all, when a name fake quietly merges two customers' unique emails into one.
// Each refusal names the rule and the column and says what to use instead.
import { isLifeboatError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { baseType, type ColumnInfo, type TypeFamily, typeFamily } from './column.js';
import { classifyColumnName } from './scan.js';
import { ruleLabel, type RuleSpec } from './transformers/context.js';
import { ADDRESS_MAX_LENGTH, emailMaxLength, NAME_MAX_LENGTH, PHONE_MIN_LENGTH } from './transformers/fakes.js';
import { createTransformer } from './transformers/index.js';
import { fixedValue } from './transformers/shape.js';
import { EMAIL_TOKEN_LENGTH, HASH_LENGTH, SHORT_TOKEN_LENGTH } from './transformers/token.js';
import { keepsDistinct, TRANSFORM_TRAITS } from './transformers/traits.js';

export type FitResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: FitResult = Object.freeze({ ok: true });
// Options are validated by building the transformer; the key's presence is a separate, config-level
// check (transformNeedsKey), so a stand-in key is used here and never derives anything real.
const PROBE_KEY = new Secret('lifeboat-fit-probe', 'fit-check');

export function checkRuleFits(rule: RuleSpec, column: ColumnInfo): FitResult {
  const label = ruleLabel(rule, column);
  const refuse = (why: string, hint: string): FitResult => ({
    ok: false,
    reason: `${label} cannot fit: ${why}. HINT: ${hint}`,
  });
  const t = rule.transform;
  const traits = TRANSFORM_TRAITS[t];
  const family = typeFamily(column.type);

  if (traits.families !== 'any' && !traits.families.includes(family)) {
    return refuse(
      `column type ${describeType(column)} cannot hold what ${t} writes (${traits.writes})`,
      hintForFamily(family),
    );
  }

  try {
    createTransformer(rule, PROBE_KEY, column);
  } catch (err) {
    if (isLifeboatError(err))
      return { ok: false, reason: err.hint === undefined ? err.message : `${err.message}. HINT: ${err.hint}` };
    throw err;
  }

  const writesNull =
    t === 'null' || (t === 'fixed' && fixedValue({ rule, column, options: rule.options ?? {} }) === null);
  if (writesNull && !column.nullable) {
    return refuse(
      `column is NOT NULL and ${t} writes NULL`,
      'use transform redact, fixed with a non-null value, or token',
    );
  }

  if (column.unique && !keepsDistinct(rule)) {
    return refuse(`column has a UNIQUE constraint and ${t} does not keep values distinct`, 'use transform token');
  }

  if (column.maxLength !== null) {
    const longest = maxOutputLength(rule, column);
    if (longest !== undefined && longest > column.maxLength) {
      return refuse(
        `column is ${describeType(column)} and ${t} writes up to ${longest} characters`,
        t === 'token' || t === 'hash' || t === 'email'
          ? `widen the column to at least ${longest} characters: ${t} needs them to keep values distinct`
          : 'use transform redact (it keeps the length) or widen the column',
      );
    }
  }
  return OK;
}

/** The longest output in characters, or undefined when it is never longer than the input (or unknowable). */
export function maxOutputLength(rule: RuleSpec, column: ColumnInfo): number | undefined {
  const options = rule.options ?? {};
  switch (rule.transform) {
    case 'token':
      if (typeFamily(column.type) === 'uuid') return undefined;
      // Values of at least 16 characters keep their length; shorter ones become tok_ + 16; emails
      // become tok_<16>@example.invalid. Whether a column holds emails is judged by its name: a
      // column of emails named otherwise fails later, in PostgreSQL, still before the swap.
      return classifyColumnName(column.name)?.kind === 'email' ? EMAIL_TOKEN_LENGTH : SHORT_TOKEN_LENGTH;
    case 'hash':
      return HASH_LENGTH;
    case 'email':
      return emailMaxLength(typeof options.domain === 'string' ? options.domain : undefined);
    case 'name':
    case 'first_name':
    case 'last_name':
      return NAME_MAX_LENGTH[rule.transform];
    case 'address':
      return ADDRESS_MAX_LENGTH;
    case 'phone':
      return PHONE_MIN_LENGTH;
    case 'fixed': {
      const v = fixedValue({ rule, column, options });
      return v === null ? undefined : [...v].length;
    }
    case 'null':
    case 'redact':
    case 'date_shift':
    case 'number_noise':
    case 'regex_replace':
    case 'json_path':
      return undefined;
    default: {
      const never: never = rule.transform;
      return never;
    }
  }
}

function describeType(column: ColumnInfo): string {
  const base = baseType(column.type);
  return column.maxLength !== null && !column.type.includes('(') ? `${base}(${column.maxLength})` : column.type;
}

function hintForFamily(family: TypeFamily): string {
  switch (family) {
    case 'integer':
    case 'numeric':
    case 'float':
      return 'use transform number_noise, fixed or null';
    case 'date':
    case 'timestamp':
      return 'use transform date_shift, fixed or null';
    case 'json':
      return 'use transform json_path to mask fields inside the documents';
    case 'uuid':
      return 'use transform token (it writes uuids into uuid columns)';
    case 'text':
    case 'citext':
      return 'use a text transform: token, email, name, redact, regex_replace, …';
    case 'other':
      return 'use transform fixed or null';
    default: {
      const never: never = family;
      return never;
    }
  }
}

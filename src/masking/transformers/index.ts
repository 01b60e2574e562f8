// The transformer registry: turns a configured rule into a function from a column's value to its
// masked value. Everything a rule needs is checked here, once, when the masking plan is built
// (options, the key, the nested rules of json_path), so a misconfigured rule fails the run before
// the first row is restored — never half-way through a table.
//
// Every transform maps NULL to NULL except `fixed` (which writes its value everywhere) and `null`
// (which writes NULL everywhere): a NULL carries no personal data, and keeping it keeps
// "has a phone number" statistics and NOT NULL / nullable semantics intact.
import type { Transform } from '../../catalog/types.js';
import type { Secret } from '../../lib/secret.js';
import type { ColumnInfo } from '../column.js';
import { type RuleSpec, type TransformContext, type ValueTransformer } from './context.js';
import { dateShiftTransformer } from './dates.js';
import { addressTransformer, emailTransformer, nameTransformer, phoneTransformer } from './fakes.js';
import { jsonPathTransformer } from './json-path.js';
import { Keyed } from './keyed.js';
import { numberNoiseTransformer } from './numbers.js';
import { fixedTransformer, nullTransformer, redactTransformer, regexReplaceTransformer } from './shape.js';
import { hashTransformer, tokenTransformer } from './token.js';

export type { Transform } from '../../catalog/types.js';
export type { ColumnInfo } from '../column.js';
export { ruleLabel, type RuleSpec, type ValueTransformer } from './context.js';
export { keepsDistinct, TRANSFORM_TRAITS, type TransformTraits, transformNeedsKey } from './traits.js';

export function createTransformer(rule: RuleSpec, key: Secret | undefined, column: ColumnInfo): ValueTransformer {
  return build(rule, key === undefined ? undefined : new Keyed(key), column);
}

function build(rule: RuleSpec, keyed: Keyed | undefined, column: ColumnInfo): ValueTransformer {
  const ctx: TransformContext = { rule, column, keyed, options: rule.options ?? {} };
  const transform: Transform = rule.transform;
  switch (transform) {
    case 'email':
      return emailTransformer(ctx);
    case 'name':
    case 'first_name':
    case 'last_name':
      return nameTransformer(ctx, transform);
    case 'phone':
      return phoneTransformer(ctx);
    case 'address':
      return addressTransformer(ctx);
    case 'token':
      return tokenTransformer(ctx);
    case 'hash':
      return hashTransformer(ctx);
    case 'null':
      return nullTransformer();
    case 'fixed':
      return fixedTransformer(ctx);
    case 'redact':
      return redactTransformer();
    case 'date_shift':
      return dateShiftTransformer(ctx);
    case 'number_noise':
      return numberNoiseTransformer(ctx);
    case 'regex_replace':
      return regexReplaceTransformer(ctx);
    case 'json_path':
      // nested rules share this rule's key: a token inside a document equals the same token in a column
      return jsonPathTransformer(ctx, (nested, nestedColumn) => build(nested, keyed, nestedColumn));
    default: {
      const never: never = transform;
      throw new Error(`unknown transform ${String(never)}`);
    }
  }
}

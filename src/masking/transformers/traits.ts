// What each transform promises, in one table: whether it needs the key, whether it keeps
// distinct values distinct (so a UNIQUE column stays unique), and which column types it can
// write into. fit.ts checks rules against these before a restore writes anything; adding a
// transform to the catalog without a row here breaks the build (the Record is exhaustive).
import type { Transform } from '../../catalog/types.js';
import type { TypeFamily } from '../column.js';
import type { RuleSpec } from './context.js';
import { jsonPathRules } from './json-path.js';

export interface TransformTraits {
  readonly keyed: boolean;
  readonly keepsDistinct: boolean;
  /** Column families the output is valid for; 'any' when it writes NULL or a configured literal. */
  readonly families: readonly TypeFamily[] | 'any';
  /** What it writes, for messages: "name writes text". */
  readonly writes: string;
}

const TEXT: readonly TypeFamily[] = ['text', 'citext'];

export const TRANSFORM_TRAITS: Readonly<Record<Transform, TransformTraits>> = {
  email: { keyed: true, keepsDistinct: true, families: TEXT, writes: 'text' },
  name: { keyed: true, keepsDistinct: false, families: TEXT, writes: 'text' },
  first_name: { keyed: true, keepsDistinct: false, families: TEXT, writes: 'text' },
  last_name: { keyed: true, keepsDistinct: false, families: TEXT, writes: 'text' },
  phone: { keyed: true, keepsDistinct: false, families: TEXT, writes: 'text' },
  address: { keyed: true, keepsDistinct: false, families: TEXT, writes: 'text' },
  token: { keyed: true, keepsDistinct: true, families: [...TEXT, 'uuid'], writes: 'text or uuid' },
  hash: { keyed: true, keepsDistinct: true, families: TEXT, writes: 'text' },
  null: { keyed: false, keepsDistinct: false, families: 'any', writes: 'NULL' },
  fixed: { keyed: false, keepsDistinct: false, families: 'any', writes: 'a fixed value' },
  redact: { keyed: false, keepsDistinct: false, families: TEXT, writes: 'text' },
  date_shift: { keyed: true, keepsDistinct: false, families: ['date', 'timestamp'], writes: 'dates' },
  number_noise: { keyed: true, keepsDistinct: false, families: ['integer', 'numeric', 'float'], writes: 'numbers' },
  regex_replace: { keyed: false, keepsDistinct: false, families: TEXT, writes: 'text' },
  json_path: { keyed: false, keepsDistinct: false, families: ['json'], writes: 'json' },
};

/** Whether a rule needs masking.key (json_path: whether any of its nested transforms does). */
export function transformNeedsKey(rule: RuleSpec): boolean {
  if (rule.transform !== 'json_path') return TRANSFORM_TRAITS[rule.transform].keyed;
  return nestedRules(rule).some((r) => TRANSFORM_TRAITS[r.transform].keyed);
}

/**
 * Whether distinct inputs stay distinct. json_path does when every nested transform does: a
 * document that differs only inside a masked field still differs after masking.
 */
export function keepsDistinct(rule: RuleSpec): boolean {
  if (rule.transform !== 'json_path') return TRANSFORM_TRAITS[rule.transform].keepsDistinct;
  return nestedRules(rule).every((r) => TRANSFORM_TRAITS[r.transform].keepsDistinct);
}

function nestedRules(rule: RuleSpec): RuleSpec[] {
  const column = { table: '?', name: '?', type: 'jsonb', maxLength: null, nullable: true, unique: false };
  try {
    return jsonPathRules({ rule, column, options: rule.options ?? {} }).map((p) => p.rule);
  } catch {
    // invalid options are reported by createTransformer / checkRuleFits with the real column
    return [];
  }
}

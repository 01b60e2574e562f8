// The error a broken lifeboat.yaml produces. One ConfigError carries every problem found in one
// pass, each pinned to a path and a line:column, so an operator fixes the file once instead of
// replaying "fix one, run again" for every typo.
import { LifeboatError } from '../errors.js';

export const ISSUE_CODES = [
  'yaml_syntax',
  'unknown_key',
  'missing_key',
  'invalid_type',
  'invalid_value',
  'unknown_reference',
  'duplicate_name',
  'invalid_name',
  'invalid_duration',
  'invalid_cron',
  'secret_inline',
  'secret_unreadable',
  'invalid_policy',
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number];

export function isIssueCode(value: unknown): value is IssueCode {
  return typeof value === 'string' && (ISSUE_CODES as readonly string[]).includes(value);
}

export interface ConfigIssue {
  /** Where in the document, e.g. `databases.CustomerDB.owner` or `databases["Sales DB"]`; '' for the whole file. */
  path: string;
  /** 1-based, of the offending node; of the key for an unknown key; of the parent for a missing key. */
  line: number;
  column: number;
  code: IssueCode;
  /** Never contains the value of a secret. */
  message: string;
  hint?: string;
}

/**
 * A key that loads but that Lifeboat does not act on yet (src/catalog/not-yet.ts): reported, never
 * an error, so a file written for the whole product keeps loading.
 */
export interface ConfigWarning {
  path: string;
  /** 1-based, of the key. */
  line: number;
  column: number;
  code: 'not_acted_on';
  message: string;
}

export class ConfigError extends LifeboatError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const first = issues[0];
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const where = first === undefined ? '' : `; first at ${first.line}:${first.column} ${first.path}: ${first.message}`;
    super('config_invalid', `unable to load ${file ?? 'the configuration'}: ${count}${where}`, {
      hint: 'run `lifeboat config validate` to list every problem with its line and column',
      details: { file, issues },
    });
    this.name = 'ConfigError';
    this.issues = Object.freeze([...issues]);
  }
}

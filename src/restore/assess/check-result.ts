// The result of a restore check and its vocabulary: the stable codes, and the three severities
// with what each must carry (a hint for blocking and warning). Pure.
import type { CheckDoc } from '../../contract/runs.js';
import type { AssessFacts } from './facts.js';

/** Every code, in the order the checks are reported. */
export const CHECK_CODES = [
  'destination_not_allowed',
  'destination_forbidden',
  'destination_production',
  'backup_not_verified',
  'rpo_exceeded',
  'sensitive_unmasked',
  'scope_needs_masking',
  'masking_key_missing',
  'post_restore_script_missing',
  'destination_unreachable',
  'server_version_older',
  'extension_missing',
  'destination_run_active',
  'destination_sessions',
  'destination_changed',
  'schema_differs',
  'foreign_keys_outside_scope',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

export interface Check extends CheckDoc {
  code: CheckCode;
}

export const safe = (code: CheckCode, message: string, details?: Record<string, unknown>): Check => ({
  code,
  severity: 'safe',
  message,
  ...(details ? { details } : {}),
});
export const warning = (code: CheckCode, message: string, hint: string, details?: Record<string, unknown>): Check => ({
  code,
  severity: 'warning',
  message,
  hint,
  ...(details ? { details } : {}),
});
export const blocking = (code: CheckCode, message: string, hint: string, details?: Record<string, unknown>): Check => ({
  code,
  severity: 'blocking',
  message,
  hint,
  ...(details ? { details } : {}),
});

export const target = (f: AssessFacts) => `${f.destination.server}/${f.destination.dbname}`;
export const masks = (f: AssessFacts) => f.destination.tier !== 'production';
export const NOT_MASKED_INTO_PRODUCTION = 'not masked: a production destination gets the data as it was (a rollback)';
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

// The one error model. Every failure a user can see carries a stable code (listed here), an
// HTTP status, a message that says what could not be done, and a hint that says what to try.
// Anything that is not a LifeboatError becomes `internal` with a correlation id: no stack
// trace ever reaches a client.

export const ERROR_CODES = {
  // usage and input
  invalid_request: 400,
  config_invalid: 400,
  // identity and access
  unauthenticated: 401,
  forbidden: 403,
  // access policy denials: the code names the rule that refused (src/access/policy.ts)
  self_approval: 403,
  not_approver: 403,
  not_team_member: 403,
  override_disabled: 403,
  read_only_role: 403,
  role_not_allowed: 403,
  destination_not_allowed: 403,
  // lookups
  not_found: 404,
  /** No control-plane store where a command looked (CLI only; the command exits 2). */
  store_not_found: 404,
  // state
  conflict: 409,
  invalid_transition: 409,
  destination_locked: 409,
  blocked_by_check: 422,
  confirmation_mismatch: 422,
  // a backup whose files do not match their manifest
  backup_corrupt: 422,
  // dependencies
  store_unavailable: 503,
  engine_failed: 502,
  storage_failed: 502,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; details?: unknown; correlationId?: string };
}

export class LifeboatError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string; cause?: unknown; details?: unknown; status?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LifeboatError';
    this.code = code;
    this.status = opts.status ?? ERROR_CODES[code];
    this.hint = opts.hint;
    this.details = opts.details;
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.hint !== undefined) error.hint = this.hint;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function isLifeboatError(err: unknown): err is LifeboatError {
  return err instanceof LifeboatError;
}

/**
 * User input as a message quotes it: in double quotes, control characters escaped, and cut at
 * `max` characters, so that a megabyte sent is not a megabyte answered.
 */
export function quoteInput(value: string, max = 64): string {
  const chars = Array.from(value);
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : value);
}

/** The message of any thrown value, for logs (never for clients unless it is a LifeboatError). */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

// When to try a message again: pure functions over the attempt number, the answer and a random
// number, so that the bounds are tested without waiting. Exponential backoff with "equal jitter"
// (half the delay fixed, half random) spreads the retries of many messages to one endpoint that
// came back, without ever retrying sooner than half the nominal delay.

export interface BackoffPolicy {
  /** The nominal delay after the first failed attempt. */
  baseMs: number;
  /** No delay is longer than this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 3_600_000 };

/** A Retry-After longer than this is taken as this (an endpoint asking for a week is not obeyed). */
export const MAX_RETRY_AFTER_MS = 6 * 3_600_000;

/**
 * The delay after failed attempt number `attempt` (1-based): the nominal delay is base·2^(attempt−1)
 * capped at `capMs`, and the result lies in [nominal/2, nominal]. `random` is in [0, 1).
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 40));
  const nominal = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(nominal / 2 + (nominal / 2) * r);
}

/**
 * A Retry-After header in milliseconds from `now`: delta-seconds ("120") or an HTTP date; a date
 * in the past is 0; anything unreadable is undefined (the backoff applies instead). Capped at
 * MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // an HTTP date names its weekday and GMT (RFC 9110 §5.6.7); Date.parse alone takes far more
    if (!/[A-Za-z]{3}.*GMT$/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now.getTime());
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

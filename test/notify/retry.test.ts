import { describe, expect, test } from 'vitest';
import { classifyHttp, classifySmtp } from '../../src/notify/classify.js';
import { afterAttempt } from '../../src/notify/outbox.js';
import { backoffMs, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/notify/retry.js';

const policy = { baseMs: 1000, capMs: 60_000 };

describe('backoff with equal jitter', () => {
  test('each attempt lies in [nominal/2, nominal], the nominal doubling up to the cap', () => {
    const nominal = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000];
    nominal.forEach((n, i) => {
      expect(backoffMs(i + 1, policy, 0)).toBe(n / 2);
      expect(backoffMs(i + 1, policy, 0.5)).toBe((n * 3) / 4);
      expect(backoffMs(i + 1, policy, 0.999_999)).toBeLessThanOrEqual(n);
      expect(backoffMs(i + 1, policy, 0.999_999)).toBeGreaterThan(n * 0.999);
    });
  });
  test('out-of-range inputs stay in bounds', () => {
    expect(backoffMs(0, policy, 0)).toBe(500);
    expect(backoffMs(10_000, policy, 1)).toBe(60_000);
    expect(backoffMs(3, policy, -5)).toBe(2000);
    expect(backoffMs(3, policy, 7)).toBe(4000);
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-12-05T01:00:00Z');
  test('delta seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  test('an HTTP date, relative to now; a past date is 0', () => {
    expect(parseRetryAfter('Sat, 05 Dec 2026 01:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 05 Dec 2026 00:00:00 GMT', now)).toBe(0);
  });
  test('capped, and anything unreadable is undefined', () => {
    expect(parseRetryAfter('99999999', now)).toBe(MAX_RETRY_AFTER_MS);
    for (const v of [undefined, null, '', 'soon', '-5', '1.5', '2026-12-05T01:00:30Z'])
      expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('what an answer means', () => {
  const cases: Array<[Parameters<typeof classifyHttp>[0], number, string, string]> = [
    ['slack', 200, 'ok', 'delivered'],
    ['slack', 404, 'no_service', 'dead'],
    ['slack', 410, 'channel_is_archived', 'dead'],
    ['slack', 403, 'invalid_token', 'dead'],
    ['slack', 400, 'invalid_payload', 'dead'],
    ['slack', 429, '', 'retry'],
    ['slack', 500, 'rollup_error', 'retry'],
    ['slack', 302, '', 'retry'],
    ['teams', 202, '', 'delivered'],
    ['teams', 200, '', 'delivered'],
    ['teams', 400, 'bad card', 'dead'],
    ['teams', 401, '', 'dead'],
    ['teams', 404, '', 'dead'],
    ['teams', 410, '', 'dead'],
    ['teams', 429, '', 'retry'],
    ['teams', 503, '', 'retry'],
    ['webhook', 200, '', 'delivered'],
    ['webhook', 204, '', 'delivered'],
    ['webhook', 401, '', 'retry'],
    ['webhook', 404, '', 'dead'],
    ['webhook', 410, '', 'dead'],
    ['webhook', 429, '', 'retry'],
    ['webhook', 500, '', 'retry'],
  ];
  test.each(cases)('%s answering %i %s: %s', (kind, status, body, outcome) => {
    expect(classifyHttp(kind, { status, body }).outcome).toBe(outcome);
  });
  test('the reason says the status and what the endpoint said', () => {
    expect(classifyHttp('slack', { status: 410, body: 'channel_is_archived' })).toEqual({
      outcome: 'dead',
      why: 'HTTP 410: channel_is_archived (the endpoint is gone)',
    });
    expect(classifyHttp('webhook', { status: 429, body: '', retryAfterMs: 2000 })).toEqual({
      outcome: 'retry',
      why: 'HTTP 429',
      retryAfterMs: 2000,
    });
  });
  test('SMTP: 5xx permanent, 4xx and no answer transient', () => {
    expect(classifySmtp(550, 'no such user')).toEqual({ outcome: 'dead', why: 'SMTP 550: no such user' });
    expect(classifySmtp(451, 'try later')).toEqual({ outcome: 'retry', why: 'SMTP 451: try later' });
    expect(classifySmtp(undefined, 'connection failed: ECONNREFUSED')).toEqual({
      outcome: 'retry',
      why: 'connection failed: ECONNREFUSED',
    });
  });
});

describe('the next state after an attempt', () => {
  const now = new Date('2026-12-05T01:00:00Z');
  test('delivered, dead at once, retried with backoff or Retry-After, dead after the last attempt', () => {
    expect(afterAttempt({ attempts: 1, maxAttempts: 8 }, { outcome: 'delivered' }, now, policy, 0)).toEqual({
      status: 'delivered',
    });
    expect(afterAttempt({ attempts: 1, maxAttempts: 8 }, { outcome: 'dead', why: 'HTTP 410' }, now, policy, 0)).toEqual(
      { status: 'dead', error: 'HTTP 410' },
    );
    expect(
      afterAttempt({ attempts: 3, maxAttempts: 8 }, { outcome: 'retry', why: 'HTTP 500' }, now, policy, 0),
    ).toEqual({ status: 'pending', nextAttemptAt: new Date(now.getTime() + 2000), error: 'HTTP 500' });
    expect(
      afterAttempt(
        { attempts: 3, maxAttempts: 8 },
        { outcome: 'retry', why: 'HTTP 429', retryAfterMs: 7000 },
        now,
        policy,
        0,
      ),
    ).toEqual({ status: 'pending', nextAttemptAt: new Date(now.getTime() + 7000), error: 'HTTP 429' });
    expect(
      afterAttempt({ attempts: 8, maxAttempts: 8 }, { outcome: 'retry', why: 'HTTP 500' }, now, policy, 0),
    ).toEqual({ status: 'dead', error: 'HTTP 500 (gave up after 8 attempts)' });
  });
});

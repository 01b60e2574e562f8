// After the cutover: the application's health check and smoke test, polled together until both
// answer 2xx in the same round or the timeout passes. Each round is summarised in the timeline
// ("health 503, smoke 200"); the first all-green round is the moment the service is restored,
// the end of the RTO clock.
import { setTimeout as sleep } from 'node:timers/promises';
import { LifeboatError, messageOf } from '../errors.js';
import type { TimelineEntry } from './incident-state.js';

export interface HealthTargets {
  healthUrl?: string;
  smokeUrl?: string;
  timeoutMs: number;
  intervalMs: number;
}

async function probe(url: string, signal: AbortSignal, ms: number): Promise<{ ok: boolean; said: string }> {
  try {
    const res = await fetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(ms)]),
      headers: { 'user-agent': 'lifeboat-dr' },
    });
    await res.body?.cancel();
    return { ok: res.status >= 200 && res.status < 300, said: String(res.status) };
  } catch (err) {
    if (signal.aborted) throw err;
    return { ok: false, said: `no answer (${messageOf(err)})` };
  }
}

/** The time health and smoke were both green; throws when the timeout passes first. */
export async function waitForGreen(
  t: HealthTargets,
  record: (e: TimelineEntry) => Promise<void>,
  signal: AbortSignal,
): Promise<Date> {
  const checks = [
    ...(t.healthUrl ? [{ name: 'health', url: t.healthUrl }] : []),
    ...(t.smokeUrl ? [{ name: 'smoke', url: t.smokeUrl }] : []),
  ];
  if (!checks.length) {
    const at = new Date();
    await record({
      kind: 'health_green',
      at,
      message: 'no dr.health_url or dr.smoke_url configured: the service counts as restored when the cutover ends',
    });
    return at;
  }
  const deadline = Date.now() + t.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const perProbe = Math.max(1000, Math.min(10_000, t.intervalMs * 2));
    const results = await Promise.all(checks.map((c) => probe(c.url, signal, perProbe)));
    const at = new Date();
    const summary = checks.map((c, i) => `${c.name} ${results[i]!.said}`).join(', ');
    await record({
      kind: 'health_attempt',
      at,
      message: `attempt ${attempt}: ${summary}`,
      details: Object.fromEntries(checks.map((c, i) => [c.name, results[i]!.said])),
    });
    if (results.every((r) => r.ok)) {
      await record({ kind: 'health_green', at, message: `${checks.map((c) => c.name).join(' and ')} green` });
      return at;
    }
    if (Date.now() + t.intervalMs > deadline) {
      throw new LifeboatError(
        'engine_failed',
        `the application was not green within ${Math.round(t.timeoutMs / 1000)}s (last: ${summary})`,
        {
          hint: 'check the application and its cutover; raise dr.health_timeout if it needs longer to start',
        },
      );
    }
    await sleep(t.intervalMs, undefined, { signal });
  }
}

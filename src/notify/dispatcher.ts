// The dispatcher: a loop in every worker process that routes new events and delivers due
// messages (outbox.ts), woken by the change feed when an event or a retry time is written, and
// sweeping at least every `sweepMs` anyway so that nothing is stranded (a notification lost while
// the feed reconnected, a lease left by a killed process). Deliveries run outside any store
// transaction and apart from the jobs, so a slow receiver never delays a restore or an answer.
import type { Catalog } from '../catalog/types.js';
import type { Logger } from '../lib/logger.js';
import { redact } from '../lib/secret.js';
import type { ChangeFeed } from '../store/changes.js';
import type { Db } from '../store/db.js';
import { catalogSecrets } from './message.js';
import { afterAttempt, claimDue, type ClaimedMessage, nextDue, recordAttempt, routePending } from './outbox.js';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './retry.js';
import { sendMessage } from './send.js';

const MIN_SLEEP_MS = 20;

export interface DispatcherDeps {
  db: Db;
  /** The configuration in force (a getter: a reload changes routing and channels). */
  readonly catalog: Catalog;
  /** The base of links when lifeboat.yaml sets no server.public_url. */
  defaultPublicUrl: string;
  logger: Logger;
  changes?: ChangeFeed;
}

export interface DispatcherOptions {
  /** The worker this dispatcher runs in: its claims are released when the worker is known stopped. */
  claimer?: string;
  sweepMs?: number;
  leaseMs?: number;
  timeoutMs?: number;
  concurrency?: number;
  backoff?: BackoffPolicy;
  now?: () => Date;
  random?: () => number;
}

export interface Dispatcher {
  /** Runs a pass now (a test, or a process that just wrote an event). */
  wake(): void;
  /** Stops taking messages; resolves once the attempts under way are recorded. */
  stop(): Promise<void>;
}

export function startDispatcher(deps: DispatcherDeps, opts: DispatcherOptions = {}): Dispatcher {
  const sweepMs = opts.sweepMs ?? 5_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // a lease outlives the longest attempt, so a live dispatcher never loses its claim
  const leaseMs = Math.max(opts.leaseMs ?? 60_000, timeoutMs * 2);
  const concurrency = opts.concurrency ?? 4;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  let stopped = false;
  let wakeUp: () => void = () => {};

  const deliver = async (m: ClaimedMessage) => {
    const catalog = deps.catalog;
    const channel = catalog.notifications[m.channel];
    const attempt =
      channel && channel.type === m.kind
        ? await sendMessage(channel, m, { timeoutMs, now })
        : {
            outcome: {
              outcome: 'dead' as const,
              why: `the channel ${m.channel} is no longer configured as ${m.kind} in lifeboat.yaml`,
            },
          };
    const at = now();
    const next = afterAttempt(m, attempt.outcome, at, backoff, random());
    await recordAttempt(deps.db, m, attempt, next, at);
    const log = { notification: m.id, channel: m.channel, event: m.event, attempt: m.attempts, status: next.status };
    const error = next.error === undefined ? undefined : redact(next.error, catalogSecrets(catalog));
    if (next.status === 'delivered') deps.logger.info(log, 'notification delivered');
    else if (next.status === 'dead') deps.logger.warn({ ...log, error }, 'notification dead-lettered');
    else deps.logger.info({ ...log, error, retryAt: next.nextAttemptAt }, 'notification will be retried');
  };

  /** One pass: route, then deliver everything due (in batches). Resolves with the time to sleep. */
  const pass = async (): Promise<number> => {
    const catalog = deps.catalog;
    await routePending(deps.db, catalog, catalog.publicUrl ?? deps.defaultPublicUrl);
    for (;;) {
      if (stopped) return 0;
      const claimed = await claimDue(deps.db, {
        now: now(),
        leaseMs,
        limit: concurrency,
        ...(opts.claimer === undefined ? {} : { claimer: opts.claimer }),
      });
      if (claimed.length === 0) break;
      await Promise.all(claimed.map((m) => deliver(m)));
    }
    const due = await nextDue(deps.db);
    // (at least a moment: a claim that just lapsed is taken on the next pass, not in a tight loop)
    return due === undefined ? sweepMs : Math.max(MIN_SLEEP_MS, Math.min(sweepMs, due.getTime() - now().getTime()));
  };

  // a wake that comes during a pass is kept for the next sleep, which then returns at once
  let poked = false;
  const wake = () => {
    poked = true;
    wakeUp();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (poked || stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = () => {};
        resolve();
      }
      wakeUp = done;
    });

  // the change feed wakes the loop when an event or a retry time is written, in any process
  if (deps.changes) {
    const feed = deps.changes;
    void (async () => {
      while (!stopped) {
        await feed.next('outbox:new', sweepMs);
        if (!stopped) wake();
      }
    })();
  }

  const loop = (async () => {
    while (!stopped) {
      poked = false;
      let wait = sweepMs;
      try {
        wait = await pass();
      } catch (err) {
        deps.logger.warn({ err: redact(String(err), catalogSecrets(deps.catalog)) }, 'notification dispatch failed');
      }
      if (!stopped) await sleep(wait);
    }
  })();

  return {
    wake,
    async stop() {
      stopped = true;
      wakeUp();
      await loop;
    },
  };
}

// A running restore's (or drill's) progress and log, persisted by a heartbeat every second (so
// the API, the CLI's --watch and the UI see it from any process, and a reaper can tell a live
// worker from a dead one). The heartbeat also notices a cancel request and aborts the run.
// Where it is persisted is the sink's business: a restore run's row (runSink), a drill's row.
import { Transform } from 'node:stream';
import { sql } from 'kysely';
import type { Db } from '../store/db.js';
import { redact, type Secret } from '../lib/secret.js';
import {
  type Phase,
  type Progress,
  progressOf,
  RATE_WINDOW_MS,
  rateAndEta,
  type Sample,
  type Work,
} from './progress-model.js';

export { PHASES, type Phase, type Progress } from './progress-model.js';

/** Persists log lines and progress (a heartbeat); says whether a cancel was requested. */
export type ProgressSink = (lines: readonly string[], progress: Progress) => Promise<boolean>;

/** The restore run's row: its heartbeat, phase, progress and log. */
export function runSink(db: Db, runId: number): ProgressSink {
  return async (lines, progress) => {
    const r = await db
      .updateTable('restore_runs')
      .set({
        heartbeat_at: new Date(),
        phase: progress.phase,
        progress: JSON.stringify(progress),
        log: lines.length ? sql`log || ${lines.map((l) => `${l}\n`).join('')}` : sql`log`,
      })
      .where('id', '=', runId)
      .returning('cancel_requested_at')
      .executeTakeFirst();
    return r?.cancel_requested_at != null;
  };
}

export class RunTracker {
  readonly #sink: ProgressSink;
  readonly #secrets: Secret[];
  readonly #pendingLog: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #phase: Phase = 'lock';
  #startedRestoreAt = 0;
  #flushing: Promise<void> = Promise.resolve();
  #lastItem: Work['lastItem'];
  /** The percentage shown so far: it only ever goes up. */
  #percent = 0;
  readonly #samples: Sample[] = [];
  p = {
    bytesDone: 0,
    bytesTotal: 0,
    tablesDone: 0,
    tablesTotal: 0,
    rowsDone: 0,
    rowsTotal: 0,
    itemsDone: 0,
    itemsTotal: 0,
  };

  constructor(sink: ProgressSink, secrets: Secret[] = []) {
    this.#sink = sink;
    this.#secrets = secrets;
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** A pass-through that counts the archive bytes flowing by into `p.bytesDone`. */
  countBytes(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _e, cb) => {
        this.p.bytesDone += chunk.length;
        cb(null, chunk);
      },
    });
  }

  /** pg_restore started building an index or a constraint (of the archive's `p.itemsTotal`). */
  postDataItem(kind: 'indexes' | 'constraints'): void {
    this.p.itemsDone++;
    this.#lastItem = kind;
  }

  phaseStart(phase: Phase): void {
    this.#phase = phase;
    if (phase === 'restore') this.#startedRestoreAt = Date.now();
    this.log(`step: ${phase}`);
  }

  log(line: string): void {
    this.#pendingLog.push(`${new Date().toISOString()} ${redact(line, this.#secrets)}`);
  }

  snapshot(now = Date.now()): Progress {
    const p = this.p;
    const shown = progressOf({ step: this.#phase, ...p, lastItem: this.#lastItem });
    this.#percent = Math.max(this.#percent, shown.percent);
    this.#samples.push({ at: now, bytesDone: p.bytesDone, percent: this.#percent });
    while (this.#samples.length > 2 && this.#samples[0]!.at < now - RATE_WINDOW_MS) this.#samples.shift();
    const elapsed = this.#startedRestoreAt ? (now - this.#startedRestoreAt) / 1000 : 0;
    return {
      phase: shown.phase,
      percent: this.#percent,
      ...p,
      ...rateAndEta(this.#samples, now),
      rowsPerSecond: elapsed > 0 ? Math.round(p.rowsDone / elapsed) : 0,
      updatedAt: new Date(now).toISOString(),
    };
  }

  /** Writes progress, log lines and the heartbeat; returns whether a cancel was requested. */
  flush(): Promise<boolean> {
    const run = async () => {
      const lines = this.#pendingLog.splice(0);
      return this.#sink(lines, this.snapshot());
    };
    const next = this.#flushing.then(run, run);
    this.#flushing = next.then(
      () => {},
      () => {},
    );
    return next;
  }

  /** Heartbeats every second until stopped; calls `onCancel` once if a cancel is requested. */
  start(onCancel: () => void): void {
    let cancelled = false;
    this.#timer = setInterval(() => {
      this.flush().then(
        (cancel) => {
          if (cancel && !cancelled) {
            cancelled = true;
            onCancel();
          }
        },
        () => {},
      );
    }, 1000);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush().catch(() => false);
  }
}

// A running restore's progress and log, persisted by a heartbeat every second (so the API,
// the CLI's --watch and the UI see it from any process, and a reaper can tell a live worker
// from a dead one). The heartbeat also notices a cancel request and aborts the run.
import { Transform } from 'node:stream';
import { sql } from 'kysely';
import type { Db } from '../store/db.js';
import { redact, type Secret } from '../lib/secret.js';

export const PHASES = [
  'queued',
  'lock',
  'fetch',
  'restore',
  'post_restore',
  'verify',
  'swap',
  'release',
  'done',
] as const;
export type Phase = (typeof PHASES)[number];

export interface Progress {
  phase: Phase;
  percent: number;
  bytesDone: number;
  bytesTotal: number;
  tablesDone: number;
  tablesTotal: number;
  rowsDone: number;
  rowsTotal: number;
  rowsPerSecond: number;
  etaSeconds: number | null;
  updatedAt: string;
}

// Share of the whole run each phase stands for, for one percentage that only goes up.
const WEIGHT: Record<Phase, [number, number]> = {
  queued: [0, 0],
  lock: [0, 1],
  fetch: [1, 25],
  restore: [25, 85],
  post_restore: [85, 88],
  verify: [88, 95],
  swap: [95, 99],
  release: [99, 100],
  done: [100, 100],
};

/** Pure: the overall percentage for a phase and its own completion fraction (0..1). */
export function overallPercent(phase: Phase, fraction: number): number {
  const [a, b] = WEIGHT[phase];
  return Math.round((a + (b - a) * Math.min(1, Math.max(0, fraction))) * 10) / 10;
}

export class RunTracker {
  readonly #db: Db;
  readonly #runId: number;
  readonly #secrets: Secret[];
  readonly #pendingLog: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #phase: Phase = 'lock';
  #startedRestoreAt = 0;
  #flushing: Promise<void> = Promise.resolve();
  p = { bytesDone: 0, bytesTotal: 0, tablesDone: 0, tablesTotal: 0, rowsDone: 0, rowsTotal: 0 };

  constructor(db: Db, runId: number, secrets: Secret[] = []) {
    this.#db = db;
    this.#runId = runId;
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

  phaseStart(phase: Phase): void {
    this.#phase = phase;
    if (phase === 'restore') this.#startedRestoreAt = Date.now();
    this.log(`step: ${phase}`);
  }

  log(line: string): void {
    this.#pendingLog.push(`${new Date().toISOString()} ${redact(line, this.#secrets)}`);
  }

  snapshot(): Progress {
    const p = this.p;
    let fraction = 0;
    if (this.#phase === 'fetch') fraction = p.bytesTotal ? p.bytesDone / p.bytesTotal : 0;
    if (this.#phase === 'restore')
      fraction = p.rowsTotal ? p.rowsDone / p.rowsTotal : p.tablesTotal ? p.tablesDone / p.tablesTotal : 0;
    const elapsed = this.#startedRestoreAt ? (Date.now() - this.#startedRestoreAt) / 1000 : 0;
    const rate = elapsed > 0 ? p.rowsDone / elapsed : 0;
    return {
      phase: this.#phase,
      percent: overallPercent(this.#phase, fraction),
      ...p,
      rowsPerSecond: Math.round(rate),
      etaSeconds: rate > 0 && this.#phase === 'restore' ? Math.round((p.rowsTotal - p.rowsDone) / rate) : null,
      updatedAt: new Date().toISOString(),
    };
  }

  /** Writes progress, log lines and the heartbeat; returns whether a cancel was requested. */
  flush(): Promise<boolean> {
    const run = async () => {
      const lines = this.#pendingLog.splice(0);
      const r = await this.#db
        .updateTable('restore_runs')
        .set({
          heartbeat_at: new Date(),
          phase: this.#phase,
          progress: JSON.stringify(this.snapshot()),
          log: lines.length ? sql`log || ${lines.map((l) => `${l}\n`).join('')}` : sql`log`,
        })
        .where('id', '=', this.#runId)
        .returning('cancel_requested_at')
        .executeTakeFirst();
      return r?.cancel_requested_at != null;
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

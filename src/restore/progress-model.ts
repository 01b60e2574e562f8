// A restore's progress as a pure model: its phases, the share of the run each stands for, and the
// rate and time left from the recent history. The worker's RunTracker (progress.ts) feeds it and
// persists the result; the CLI renders it (src/cli/run-view.ts) without loading the worker's code.

export const PHASES = [
  'queued',
  'lock',
  'fetch',
  'restore',
  'indexes',
  'constraints',
  'post_restore',
  'verify',
  'swap',
  'release',
  'done',
] as const;
export type Phase = (typeof PHASES)[number];

/** How a phase reads in a progress line. */
export const PHASE_LABELS: Record<Phase, string> = {
  queued: 'queued',
  lock: 'lock',
  fetch: 'fetch',
  restore: 'restore data',
  indexes: 'indexes',
  constraints: 'constraints',
  post_restore: 'post-restore',
  verify: 'verification',
  swap: 'swap',
  release: 'release',
  done: 'done',
};

export interface Progress {
  phase: Phase;
  percent: number;
  bytesDone: number;
  bytesTotal: number;
  /** Archive bytes per second over the last RATE_WINDOW_MS (0 without a basis). */
  bytesPerSecond: number;
  tablesDone: number;
  tablesTotal: number;
  rowsDone: number;
  rowsTotal: number;
  rowsPerSecond: number;
  /** Indexes and constraints pg_restore has started building, of those in the archive. */
  itemsDone: number;
  itemsTotal: number;
  /** Seconds to the end of the run; null when there is no basis yet (say "ETA unknown"). */
  etaSeconds: number | null;
  updatedAt: string;
}

// The share of the whole run each phase stands for. The data (fetched and streamed archive
// bytes) is most of a restore but not all of it: building indexes and constraints after the last
// row can take as long again, so the percentage keeps a share for them and for what follows,
// and never claims the work done while they are still to come.
const SHARE = { lock: 1, data: 69, postData: 18, postRestore: 2, verify: 7, swap: 2, release: 1 } as const;
const DATA_START = SHARE.lock;
const POST_DATA_START = DATA_START + SHARE.data;
const POST_RESTORE_START = POST_DATA_START + SHARE.postData;
const VERIFY_START = POST_RESTORE_START + SHARE.postRestore;
const SWAP_START = VERIFY_START + SHARE.verify;
const RELEASE_START = SWAP_START + SHARE.swap;

export interface Work {
  /** The step the runbook is in. */
  step: Phase;
  bytesDone: number;
  bytesTotal: number;
  tablesDone: number;
  tablesTotal: number;
  itemsDone: number;
  itemsTotal: number;
  /** The kind of the last index or constraint pg_restore started, if any. */
  lastItem: 'indexes' | 'constraints' | undefined;
}

const clamp = (x: number) => Math.min(1, Math.max(0, x));
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Pure: the phase to show and the overall percentage. While pg_restore runs (step `restore`), the
 * data share follows the archive bytes (tables when the sizes are unknown) and the post-data
 * share the indexes and constraints started; the phase shown is `indexes` or `constraints` once
 * every data byte is in and pg_restore is building them.
 */
export function progressOf(w: Work): { phase: Phase; percent: number } {
  const data =
    w.bytesTotal > 0 ? clamp(w.bytesDone / w.bytesTotal) : w.tablesTotal > 0 ? clamp(w.tablesDone / w.tablesTotal) : 0;
  const items = w.itemsTotal > 0 ? clamp(w.itemsDone / w.itemsTotal) : 0;
  switch (w.step) {
    case 'queued':
      return { phase: 'queued', percent: 0 };
    case 'lock':
      return { phase: 'lock', percent: 0 };
    case 'fetch':
      return { phase: 'fetch', percent: round1(DATA_START + SHARE.data * data) };
    case 'restore':
    case 'indexes':
    case 'constraints': {
      const percent = round1(DATA_START + SHARE.data * data + SHARE.postData * items);
      const phase = data >= 1 && w.lastItem !== undefined ? w.lastItem : 'restore';
      return { phase, percent };
    }
    case 'post_restore':
      return { phase: 'post_restore', percent: POST_RESTORE_START };
    case 'verify':
      return { phase: 'verify', percent: VERIFY_START };
    case 'swap':
      return { phase: 'swap', percent: SWAP_START };
    case 'release':
      return { phase: 'release', percent: RELEASE_START };
    case 'done':
      return { phase: 'done', percent: 100 };
    default: {
      const never: never = w.step;
      throw new Error(`unknown phase ${String(never)}`);
    }
  }
}

/** A point of the run's history: when, how many archive bytes, which percentage. */
export interface Sample {
  at: number;
  bytesDone: number;
  percent: number;
}

/** The window rates and the ETA are measured over: recent enough to follow a slowdown. */
export const RATE_WINDOW_MS = 10_000;
/** Less history than this is no basis for a rate. */
export const MIN_BASIS_MS = 2_000;

/**
 * Pure: archive bytes per second and the seconds left, from the samples of the last
 * RATE_WINDOW_MS. The ETA extrapolates the percentage's own pace over that window, so it covers
 * the phases still to come in proportion to their share; it is null — "ETA unknown" — with less
 * than MIN_BASIS_MS of history or when nothing moved in the window (a long index build).
 */
export function rateAndEta(
  samples: readonly Sample[],
  now: number,
): { bytesPerSecond: number; etaSeconds: number | null } {
  const recent = samples.filter((s) => s.at >= now - RATE_WINDOW_MS);
  const first = recent[0];
  const last = recent.at(-1);
  if (!first || !last || last.at - first.at < MIN_BASIS_MS) return { bytesPerSecond: 0, etaSeconds: null };
  const seconds = (last.at - first.at) / 1000;
  const bytesPerSecond = Math.max(0, Math.round((last.bytesDone - first.bytesDone) / seconds));
  const pace = (last.percent - first.percent) / seconds;
  if (pace <= 0 || last.percent >= 100) return { bytesPerSecond, etaSeconds: last.percent >= 100 ? 0 : null };
  return { bytesPerSecond, etaSeconds: Math.round((100 - last.percent) / pace) };
}

// The progress of a restore as its watchers see it: the phase, a percentage that keeps a share
// for the work after the last row, an ETA from the recent pace ("ETA unknown" without one), and
// the line `restore status --watch` draws.
import { describe, expect, test } from 'vitest';
import { progressLine } from '../../src/cli/run-view.js';
import type { RunDoc } from '../../src/contract/runs.js';
import { progressOf, rateAndEta, type Sample, type Work } from '../../src/restore/progress-model.js';

const base: Work = {
  step: 'restore',
  bytesDone: 0,
  bytesTotal: 1000,
  tablesDone: 0,
  tablesTotal: 4,
  itemsDone: 0,
  itemsTotal: 10,
  lastItem: undefined,
};

describe('progressOf', () => {
  test.each<[string, Partial<Work>, string, number]>([
    ['lock', { step: 'lock' }, 'lock', 0],
    ['fetching the table of contents', { step: 'fetch', bytesDone: 10 }, 'fetch', 1.7],
    ['half the data in', { bytesDone: 500 }, 'restore', 35.5],
    [
      'an index built beside the data still loading',
      { bytesDone: 500, itemsDone: 1, lastItem: 'indexes' },
      'restore',
      37.3,
    ],
    ['every byte in: the data share is full, the indexes still to come', { bytesDone: 1000 }, 'restore', 70],
    ['every byte in, building indexes', { bytesDone: 1000, itemsDone: 4, lastItem: 'indexes' }, 'indexes', 77.2],
    [
      'every byte in, building constraints',
      { bytesDone: 1000, itemsDone: 9, lastItem: 'constraints' },
      'constraints',
      86.2,
    ],
    ['sizes unknown: tables instead of bytes', { bytesTotal: 0, tablesDone: 2 }, 'restore', 35.5],
    ['no indexes in the archive', { bytesDone: 1000, itemsTotal: 0 }, 'restore', 70],
    ['post-restore scripts', { step: 'post_restore' }, 'post_restore', 88],
    ['verification', { step: 'verify' }, 'verify', 90],
    ['swap', { step: 'swap' }, 'swap', 97],
    ['release', { step: 'release' }, 'release', 99],
    ['done', { step: 'done' }, 'done', 100],
  ])('%s', (_name, work, phase, percent) => {
    expect(progressOf({ ...base, ...work })).toEqual({ phase, percent });
  });

  test('the data share never reaches what the indexes, verification and swap still stand for', () => {
    expect(progressOf({ ...base, bytesDone: 2000 }).percent).toBe(70);
  });
});

describe('rateAndEta', () => {
  const now = 100_000;
  const at = (secondsAgo: number, bytesDone: number, percent: number): Sample => ({
    at: now - secondsAgo * 1000,
    bytesDone,
    percent,
  });
  test.each<[string, Sample[], { bytesPerSecond: number; etaSeconds: number | null }]>([
    ['no history', [], { bytesPerSecond: 0, etaSeconds: null }],
    ['under two seconds of history', [at(1, 0, 10), at(0, 100, 12)], { bytesPerSecond: 0, etaSeconds: null }],
    ['a steady pace', [at(4, 0, 20), at(2, 200, 30), at(0, 400, 40)], { bytesPerSecond: 100, etaSeconds: 12 }],
    [
      'only the last 10 s count: a slowdown shows at once',
      [at(30, 0, 0), at(10, 9000, 60), at(0, 9100, 61)],
      { bytesPerSecond: 10, etaSeconds: 390 },
    ],
    [
      'nothing moved in the window (a long index build): unknown, not a guess',
      [at(8, 1000, 80), at(0, 1000, 80)],
      { bytesPerSecond: 0, etaSeconds: null },
    ],
    ['at 100 %', [at(3, 0, 90), at(0, 10, 100)], { bytesPerSecond: 3, etaSeconds: 0 }],
  ])('%s', (_name, samples, expected) => {
    expect(rateAndEta(samples, now)).toEqual(expected);
  });
});

describe('progressLine', () => {
  const run = (
    progress: RunDoc['progress'],
    status: RunDoc['status'] = 'running',
  ): Pick<RunDoc, 'status' | 'phase' | 'progress'> => ({ status, phase: progress.phase ?? null, progress });
  test.each<[string, Pick<RunDoc, 'status' | 'phase' | 'progress'>, string]>([
    [
      'restoring data',
      run({
        phase: 'restore',
        percent: 35.5,
        bytesPerSecond: 12_345_678,
        tablesDone: 2,
        tablesTotal: 4,
        etaSeconds: 65,
      }),
      '[##########....................]  36%  restore data  11.8 MiB/s  tables 2/4  ETA 1m5s',
    ],
    [
      'building indexes, no basis for an ETA',
      run({ phase: 'indexes', percent: 77.2, bytesPerSecond: 0, itemsDone: 4, itemsTotal: 10, etaSeconds: null }),
      '[#######################.......]  77%  indexes  indexes and constraints 4/10  ETA unknown',
    ],
    [
      'verification',
      run({ phase: 'verify', percent: 90, tablesDone: 4, tablesTotal: 4, etaSeconds: 3 }),
      '[###########################...]  90%  verification  tables 4/4  ETA 3.0s',
    ],
    ['queued', run({}, 'queued'), '[..............................]   0%  queued'],
    [
      'queued, waiting for its team',
      run({ waiting: 'team team-alpha has 1 of 1 restores running' }, 'queued'),
      '[..............................]   0%  queued  waiting: team team-alpha has 1 of 1 restores running',
    ],
    [
      'completed',
      run({ phase: 'done', percent: 100 }, 'completed'),
      '[##############################] 100%  completed',
    ],
  ])('%s', (_name, r, expected) => {
    expect(progressLine(r)).toBe(expected);
  });
});

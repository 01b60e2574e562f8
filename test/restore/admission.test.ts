// The per-team admission rule, exhaustively: every limit (none, 1 to 4) × running count (0 to 5) ×
// number of runs queued ahead (0 to 5), against the rule written out here apart from the code,
// and the exact waiting reasons.
import { describe, expect, it } from 'vitest';
import { admit } from '../../src/restore/admission.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => 10 + i);

describe('admit', () => {
  it('starts when, and only when, the team has a place left for this run after the runs queued ahead', () => {
    for (const limit of [undefined, 1, 2, 3, 4]) {
      for (let running = 0; running <= 5; running++) {
        for (let ahead = 0; ahead <= 5; ahead++) {
          const expected = limit === undefined || running + ahead < limit;
          const got = admit({ team: 't', limit, running, ahead: ids(ahead) });
          expect([limit, running, ahead, got.start]).toEqual([limit, running, ahead, expected]);
        }
      }
    }
  });

  it('without a limit, starts whatever runs and waits', () => {
    expect(admit({ team: 'team-alpha', limit: undefined, running: 40, ahead: ids(9) })).toEqual({ start: true });
  });

  it('says the team is full when its running runs fill the limit', () => {
    expect(admit({ team: 'team-alpha', limit: 1, running: 1, ahead: [] })).toEqual({
      start: false,
      waiting: 'team team-alpha has 1 of 1 restores running',
    });
    // a limit lowered by a reload below what is running
    expect(admit({ team: 'team-alpha', limit: 2, running: 3, ahead: [4] })).toEqual({
      start: false,
      waiting: 'team team-alpha has 3 of 2 restores running',
    });
  });

  it('names the runs queued earlier that take the free places', () => {
    const waiting = (limit: number, running: number, ahead: number[]) => {
      const a = admit({ team: 'team-alpha', limit, running, ahead });
      return a.start ? 'start' : a.waiting;
    };
    expect(waiting(1, 0, [4])).toBe('run 4 of team team-alpha queued earlier and goes first (0 of 1 restores running)');
    expect(waiting(2, 0, [4, 7])).toBe(
      'runs 4 and 7 of team team-alpha queued earlier and go first (0 of 2 restores running)',
    );
    expect(waiting(3, 1, [4, 7, 9])).toBe(
      'runs 4, 7 and 9 of team team-alpha queued earlier and go first (1 of 3 restores running)',
    );
    expect(waiting(2, 1, [4, 7, 9, 12, 13])).toBe(
      'runs 4, 7, 9 and 2 more of team team-alpha queued earlier and go first (1 of 2 restores running)',
    );
    expect(waiting(3, 1, [4])).toBe('start');
  });
});

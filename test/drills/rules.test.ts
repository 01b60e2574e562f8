// The drills' pure rules: the lifecycle (every status × event), the target rule, and the
// verification of an evidence pack (every way a pack can fail to verify).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import { DRILL_STATUSES, type DrillEvent, nextDrillStatus } from '../../src/drills/lifecycle.js';
import { hashesOf, packProblems, PROOF_FILE } from '../../src/drills/evidence.js';
import { drillTarget } from '../../src/drills/target-rule.js';
import { drillCron, drillDue } from '../../src/drills/schedule.js';
import { evidenceExpired } from '../../src/drills/evidence-retention.js';
import { fixtureConfig } from '../harness/fixtures.js';

describe('drill lifecycle', () => {
  const table: Record<string, Record<DrillEvent, string | undefined>> = {
    queued: { start: 'running', pass: undefined, fail: 'failed', cancel: 'cancelled' },
    running: { start: undefined, pass: 'passed', fail: 'failed', cancel: 'cancelled' },
    passed: { start: undefined, pass: undefined, fail: undefined, cancel: undefined },
    failed: { start: undefined, pass: undefined, fail: undefined, cancel: undefined },
    cancelled: { start: undefined, pass: undefined, fail: undefined, cancel: undefined },
  };
  for (const from of DRILL_STATUSES) {
    for (const event of ['start', 'pass', 'fail', 'cancel'] as const) {
      it(`${from} + ${event} → ${table[from]![event] ?? 'refused'}`, () => {
        expect(nextDrillStatus(from, event)).toBe(table[from]![event]);
      });
    }
  }
});

describe('drill target', () => {
  const env = { PROD_PG01_URL: 'postgres://u:p@h/db', DEV_PG01_URL: 'postgres://u:p@h/db' };
  const catalog = parseConfig(fixtureConfig(), { baseDir: '/tmp', env });
  it('a non-production server is the target', () => {
    expect(drillTarget(catalog, 'CustomerDB', 'dev-pg01').name).toBe('dev-pg01');
  });
  it('a production server is refused, naming the alternatives', () => {
    expect(() => drillTarget(catalog, 'CustomerDB', 'prod-pg01')).toThrow(
      expect.objectContaining({
        code: 'destination_not_allowed',
        message: 'unable to drill CustomerDB on prod-pg01: it is a production server',
        hint: 'a drill creates and drops a scratch database: aim it at a staging, development or test server (dev-pg01)',
      }),
    );
  });
  it('without --target nor drill.target: a usage error', () => {
    expect(() => drillTarget(catalog, 'CustomerDB', undefined)).toThrow(
      expect.objectContaining({ code: 'invalid_request', message: 'no drill target for CustomerDB' }),
    );
  });
});

describe('evidence pack verification', () => {
  const files = { 'manifest.json': Buffer.from('{}'), 'result.json': Buffer.from('{"verdict":"passed"}') };
  const audit = { seq: 7, hash: 'abc' };
  const recorded = { files: hashesOf(files), audit };
  const pack = (proof: unknown, extra: Record<string, Buffer> = {}) => ({
    ...files,
    ...extra,
    [PROOF_FILE]: Buffer.from(JSON.stringify(proof)),
  });
  const proof = { format: 'lifeboat-drill-evidence/1', drill: 1, files: hashesOf(files), audit };

  it('an intact pack verifies', () => {
    expect(packProblems(pack(proof), recorded)).toEqual([]);
  });
  it('a changed file', () => {
    expect(packProblems({ ...pack(proof), 'result.json': Buffer.from('{"verdict":"failed"}') }, recorded)).toEqual([
      'result.json does not match its hash in proof.json',
    ]);
  });
  it('a missing file, an added file', () => {
    const { 'manifest.json': _gone, ...rest } = pack(proof, { 'extra.txt': Buffer.from('x') });
    expect(packProblems(rest, recorded)).toEqual(['manifest.json is missing', 'extra.txt is not in proof.json']);
  });
  it('a file and proof.json changed together: caught by what the audit event recorded', () => {
    const forged = { 'result.json': Buffer.from('{"verdict":"forged"}') };
    const p = { ...proof, files: { ...proof.files, ...hashesOf(forged) } };
    expect(packProblems({ ...pack(p), ...forged }, recorded)).toEqual([
      'result.json: proof.json differs from the hash the audit event recorded',
    ]);
  });
  it('a proof naming another audit event; no proof at all', () => {
    expect(packProblems(pack({ ...proof, audit: { seq: 8, hash: 'abc' } }), recorded)).toEqual([
      'proof.json names audit event 8, not the one that recorded the drill',
    ]);
    expect(packProblems(files, recorded)).toEqual(['proof.json is missing']);
  });
});

describe('drill schedule', () => {
  it('first_sunday: every Sunday at 03:00 UTC, a drill only in the first seven days of the month', () => {
    expect(drillCron('first_sunday')).toBe('0 3 * * 0');
    expect(drillDue('first_sunday', new Date('2026-12-06T03:00:00Z'))).toBe(true);
    expect(drillDue('first_sunday', new Date('2026-12-13T03:00:00Z'))).toBe(false);
  });
  it('monthly: the 1st at 03:00 UTC; a cron expression as written', () => {
    expect(drillCron('monthly')).toBe('0 3 1 * *');
    expect(drillCron('0 3 * * 0')).toBe('0 3 * * 0');
    expect(drillDue('0 3 * * 0', new Date('2026-12-13T03:00:00Z'))).toBe(true);
  });
});

describe('evidence retention', () => {
  it('13 months from the end of the drill, to the second', () => {
    const finished = new Date('2025-11-05T03:10:00Z');
    expect(evidenceExpired(finished, new Date('2026-12-05T03:09:59Z'))).toBe(false);
    expect(evidenceExpired(finished, new Date('2026-12-05T03:10:00Z'))).toBe(true);
  });
});

// The shipped Prometheus alert rules load in Prometheus's own checker, and each alert fires on
// the series Lifeboat exposes (and waits its `for:`) in promtool's rule unit tests.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/lib/process.js';
import { PROMTOOL, promtoolCheckRules } from '../harness/prometheus.js';

const DIR = join(import.meta.dirname, '../../deploy/prometheus');

describe('deploy/prometheus/lifeboat-alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const r = await promtoolCheckRules(join(DIR, 'lifeboat-alerts.yml'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('SUCCESS: 12 rules found');
    expect(r.code).toBe(0);
  });

  it('passes its promtool rule unit tests (every alert fires on Lifeboat series, and only then)', async () => {
    const r = await run(PROMTOOL, ['test', 'rules', 'lifeboat-alerts.test.yml'], { cwd: DIR });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});

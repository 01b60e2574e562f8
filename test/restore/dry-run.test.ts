// A dry run through the real CLI, without --json: it prints what it checked and, per table, what
// the restore would write — the same facts as the --json document.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDoc } from '../../src/contract/runs.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

const MASKING = `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.customers, column: email, transform: token }
        - { table: public.customers, column: full_name, transform: name }`;

describe('restore request without --execute, in text', () => {
  it('prints the checks and a per-table preview with the masking plan', async () => {
    const lb = await backedUp(servers, fixtureConfig({ databaseExtra: MASKING }));
    const env = await lb.cliEnv('jsmith');
    const r = await lifeboat(['restore', 'request', 'CustomerDB', '--to', 'dev-pg01/dry_text'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const run = JSON.parse((await lifeboat(['restore', 'show', '1', '--json'], { env })).stdout) as RunDoc;
    expect(run.status).toBe('previewed');
    expect(r.stdout).toBe(
      [
        'run 1: previewed  CustomerDB → dev-pg01/dry_text (development)',
        `  backup ${run.source.backupId}, requested by jsmith`,
        'checks:',
        '  safe     destination_allowed  dev-pg01 (development) is an allowed destination of CustomerDB',
        `  safe     backup_verified      backup ${run.source.backupId} is verified`,
        '  safe     masking              2 masking rule(s) applied in the stream; every column declared sensitive has one',
        `preview: backup ${run.source.backupId}, taken ${run.preview!.backupTakenAt}`,
        '  table             rows in backup  masking',
        '  Sales Dept.Order           1,358  -',
        '  public.customers             500  email: token, full_name: name',
        '  public.orders              1,358  -',
        '  masking: 2 masking rule(s) applied in the stream; every column declared sensitive has one',
        '  dry run: to execute, repeat with --execute --confirm "dev-pg01/dry_text"',
        '',
      ].join('\n'),
    );
  });
});

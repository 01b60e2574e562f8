// `lifeboat config validate` through the real binary: it finds the config the way every other
// command does, says which keys it does not act on yet (exit 0), and refuses engines it cannot drive.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';

const EXAMPLE = join(import.meta.dirname, 'fixtures', 'product-example.yaml');
const ENV = {
  PROD_PG01_URL: 'postgres://u:pw@prod/db',
  DEV_PG01_URL: 'postgres://u:pw@dev/db',
  MASKING_KEY: 'k'.repeat(32),
  ALPHA_SLACK_WEBHOOK: 'https://hooks.example/x',
};
const SMALL = [
  'version: 1',
  'users: { ann: { email: ann@example.com, roles: [dba-admin] } }',
  'servers:',
  '  pg: { engine: postgres, tier: test, url: file:./secrets/pg.url }',
  '',
].join('\n');

function workspace(): string {
  const dir = mkdtempSync(join(harnessRoot(), 'validate-'));
  chmodSync(dir, 0o755);
  return dir;
}

describe('lifeboat config validate', () => {
  test('without an argument, finds the demo workspace of `lifeboat start` as every other command does', async () => {
    const home = workspace();
    const demo = join(home, '.lifeboat', 'demo');
    mkdirSync(join(demo, 'secrets'), { recursive: true });
    writeFileSync(join(demo, 'secrets', 'pg.url'), 'postgres://u:pw@h/db\n');
    writeFileSync(join(demo, 'lifeboat.yaml'), SMALL);
    const r = await lifeboat(['config', 'validate'], { cwd: home });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${join(demo, 'lifeboat.yaml')}: valid (0 teams, 1 users, 1 servers, 0 databases)\n`);
    expect(r.code).toBe(0);
  });

  test('./lifeboat.yaml comes before the demo, and LIFEBOAT_CONFIG before both', async () => {
    const home = workspace();
    mkdirSync(join(home, '.lifeboat', 'demo'), { recursive: true });
    writeFileSync(join(home, '.lifeboat', 'demo', 'lifeboat.yaml'), 'version: 2\n');
    mkdirSync(join(home, 'secrets'));
    writeFileSync(join(home, 'secrets', 'pg.url'), 'postgres://u:pw@h/db\n');
    writeFileSync(join(home, 'lifeboat.yaml'), SMALL);
    const local = await lifeboat(['config', 'validate'], { cwd: home });
    expect(local.stdout).toBe(`${join(home, 'lifeboat.yaml')}: valid (0 teams, 1 users, 1 servers, 0 databases)\n`);
    const explicit = await lifeboat(['config', 'validate'], {
      cwd: home,
      env: { LIFEBOAT_CONFIG: join(home, '.lifeboat', 'demo', 'lifeboat.yaml') },
    });
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toContain('version  invalid_value  expected 1, got 2');
  });

  test('with no config anywhere: exit 2 and a hint, never a read of a file that is not there', async () => {
    const r = await lifeboat(['config', 'validate'], { cwd: workspace() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'lifeboat: no lifeboat.yaml found\nHINT: pass --config <file>, set LIFEBOAT_CONFIG, or run `lifeboat start` once to create the demo workspace\n',
    );
  });

  test('the PRODUCT.md example is valid, with every key acted on (exit 0)', async () => {
    const home = workspace();
    cpSync(EXAMPLE, join(home, 'lifeboat.yaml'));
    const file = join(home, 'lifeboat.yaml');
    const r = await lifeboat(['config', 'validate'], { cwd: home, env: ENV });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([`${file}: valid (1 teams, 4 users, 2 servers, 1 databases)`, ''].join('\n'));
    const json = await lifeboat(['--json', 'config', 'validate', file], { env: ENV });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { valid: boolean; warnings: { path: string; line: number; code: string }[] };
    expect(doc.valid).toBe(true);
    expect(doc.warnings).toEqual([]);
  });

  test('a server of an engine Lifeboat cannot drive is an error (exit 2) with a hint', async () => {
    const home = workspace();
    const file = join(home, 'lifeboat.yaml');
    writeFileSync(
      file,
      ['version: 1', 'servers:', '  maria: { engine: mariadb, tier: test, url: env:URL }', ''].join('\n'),
    );
    const r = await lifeboat(['config', 'validate', file], { env: { URL: 'mysql://x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${file}:3:20  servers.maria.engine  invalid_value  Lifeboat cannot drive mariadb servers yet: today it backs up and restores postgres only  (HINT: remove servers.maria (and the databases on it) until the mariadb engine is built, or declare a PostgreSQL server (engine: postgres))\n1 error(s) in ${file}\n`,
    );
  });
});

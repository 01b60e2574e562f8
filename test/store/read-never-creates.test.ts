// A command that reads the store never creates one (STYLE.md §24): run where there is no store
// and without --data-dir or LIFEBOAT_DATABASE_URL, `audit verify`, `audit export`, `token issue`
// and `token list` fail with exit 2 and a hint, and leave the directory empty —
// before, they initialised a new empty store there and `audit verify` reported it "intact".
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';

const CONFIG = `version: 1
users:
  alice: { email: alice@example.com, roles: [dba-admin] }
storage:
  main: { type: filesystem, path: ./backups }
`;

function emptyDir(prefix: string): string {
  const dir = mkdtempSync(join(harnessRoot(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

const HINT = 'HINT: run it where `lifeboat start` runs, pass --data-dir DIR, or set LIFEBOAT_DATABASE_URL';
const API_HINT = '; or set LIFEBOAT_TOKEN to a token of an auditor to go through the API';

describe('commands that read the store, where there is none', () => {
  // the config lives elsewhere: the commands find it, and only the store is missing
  const configDir = emptyDir('config-');
  writeFileSync(join(configDir, 'lifeboat.yaml'), CONFIG);
  const env = { LIFEBOAT_CONFIG: join(configDir, 'lifeboat.yaml') };

  it.each<[string[], string]>([
    [['audit', 'verify'], API_HINT],
    [['audit', 'export'], API_HINT],
    [['token', 'issue', 'alice'], ''],
    [['token', 'list'], ''],
  ])('lifeboat %j: exit 2 with a hint, nothing created', async (args, more) => {
    const cwd = emptyDir('empty-');
    const r = await lifeboat(args, { cwd, env });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`lifeboat: no Lifeboat store in ./.lifeboat (no such directory)\n${HINT}${more}\n`);
    expect(r.code).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('backup fetch goes through the API, never the store: with no server it says so and creates nothing', async () => {
    const cwd = emptyDir('empty-');
    const r = await lifeboat(['backup', 'fetch', 'b-1', 'out', '--url', 'http://127.0.0.1:9'], { cwd, env });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^lifeboat: unable to reach Lifeboat at http:\/\/127\.0\.0\.1:9: /);
    expect(r.code).toBe(1);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('names a --data-dir that holds no store, and leaves it as it was', async () => {
    const cwd = emptyDir('empty-');
    const dataDir = emptyDir('data-');
    const r = await lifeboat(['token', 'issue', 'alice', '--data-dir', dataDir, '--json'], { cwd, env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'store_not_found',
        message: `no Lifeboat store in ${dataDir} (no store.json)`,
        hint: 'run it where `lifeboat start` runs, pass --data-dir DIR, or set LIFEBOAT_DATABASE_URL',
      },
    });
    expect(readdirSync(dataDir)).toEqual([]);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

// What `lifeboat start` (and `server`, `worker`) print once running: where it listens, which
// config and store it uses, and commands that work as typed in another terminal from the
// directory it was started in. The CLI is named as it can be run from there: `lifeboat` when
// that very binary is on the PATH, else `node <path>/bin/lifeboat.js` — not `npx lifeboat` or
// `npm exec`, which draw npm's spinner on the terminal (over `restore status --watch`'s bar)
// and add npm's own start-up to every command.
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigWarning } from '../catalog/config-error.js';

export const DEFAULT_URL = 'http://127.0.0.1:7420';

export interface BannerInput {
  mode: 'all' | 'server' | 'worker';
  /** Where the API listens (none for a worker). */
  url: string | undefined;
  configFile: string;
  demo: boolean;
  /** "embedded in <dir>" or "LIFEBOAT_DATABASE_URL". */
  store: string;
  /** How to run the CLI from `cwd` (see cliInvocation). */
  cli: string;
  /** Exports a new shell needs for the CLI to find this Lifeboat (URL, config, data dir). */
  exports: Record<string, string>;
  users: readonly string[];
  /** Demo: a one-click sign-in link to the web UI per user (single-use codes, minutes long). */
  signInLinks?: ReadonlyArray<{ user: string; url: string }>;
  warnings: readonly ConfigWarning[];
  pid: number;
}

export function startupBanner(b: BannerInput): string {
  const lines = [
    `Lifeboat ${b.mode === 'all' ? 'is running' : `${b.mode} is running`}${b.url ? ` at ${b.url}` : ''}`,
    `  config: ${b.configFile}${b.demo ? ' (demo workspace)' : ''}`,
    `  store:  ${b.store}`,
  ];
  if (b.warnings.length > 0) {
    const n = b.warnings.length;
    lines.push(
      `  note:   ${n} key${n === 1 ? '' : 's'} of lifeboat.yaml ${n === 1 ? 'is' : 'are'} not acted on yet (${b.warnings.map((w) => `${w.path}, line ${w.line}`).join('; ')})`,
    );
  }
  lines.push(
    b.mode === 'worker'
      ? `  reload: kill -HUP ${b.pid} (after editing lifeboat.yaml)`
      : `  reload: ${b.cli} config reload, or kill -HUP ${b.pid} (after editing lifeboat.yaml)`,
    '  stop:   Ctrl-C',
  );
  if (b.signInLinks && b.signInLinks.length > 0) {
    lines.push('  web UI: open a sign-in link (each works once, for 10 minutes):');
    const width = Math.max(...b.signInLinks.map((l) => l.user.length));
    for (const l of b.signInLinks) lines.push(`    ${l.user.padEnd(width)}  ${l.url}`);
  } else if (b.mode !== 'worker' && b.url) {
    lines.push(`  web UI: ${b.url}/ (sign in with a token from \`${b.cli} token issue <user>\`)`);
  }
  if (b.mode !== 'worker') {
    const user = b.demo && b.users.includes('alice') ? 'alice' : 'USER';
    lines.push('  try, in another terminal in this directory:');
    for (const [k, v] of Object.entries(b.exports)) lines.push(`    export ${k}=${shellQuote(v)}`);
    lines.push(`    export LIFEBOAT_TOKEN="$(${b.cli} token issue ${user})" && test -n "$LIFEBOAT_TOKEN"`);
    if (user === 'USER') lines.push(`    (USER: one of ${b.users.join(', ') || 'the users of lifeboat.yaml'})`);
    lines.push(b.demo ? `    ${b.cli} backup run CustomerDB --wait` : `    ${b.cli} whoami`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The CLI as typed from `cwd`: `lifeboat` when the PATH finds this very binary, otherwise node
 * with the binary's path (relative when it is below `cwd`).
 */
export function cliInvocation(o: { bin: string; cwd: string; onPath: string | undefined }): string {
  if (o.onPath === o.bin) return 'lifeboat';
  const rel = relative(o.cwd, o.bin);
  const below = rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  return `node ${shellQuote(below ? rel : o.bin)}`;
}

/** This binary (bin/lifeboat.js), symbolic links resolved. */
export function thisBin(): string {
  return realpathSync(fileURLToPath(new URL('../../bin/lifeboat.js', import.meta.url)));
}

/**
 * The `lifeboat` a shell would run, resolved, ignoring the node_modules/.bin directories that npm
 * puts on the PATH of what it runs (`npx lifeboat start`): a new shell does not have them.
 */
export function lifeboatOnPath(path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir || dir.endsWith(join('node_modules', '.bin'))) continue;
    const candidate = join(dir, 'lifeboat');
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  return undefined;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

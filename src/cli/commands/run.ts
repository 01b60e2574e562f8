// `lifeboat start | server | worker`: run Lifeboat in the foreground until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { parseDuration } from '../../lib/duration.js';
import type { RunMode } from '../../runtime/run.js';
import { cliContext } from '../context.js';
import { parsePort } from '../parse.js';

export function registerRunCommands(program: Command): void {
  program
    .command('start')
    .description('run everything in one process: embedded store, API, web UI, worker and scheduler')
    .option('--data-dir <dir>', 'where the embedded store and demo live (env LIFEBOAT_DATA_DIR)', '.lifeboat')
    .option('--port <n>', 'HTTP port', '7420')
    .option('--host <addr>', 'HTTP address to listen on', '127.0.0.1')
    .option('--labels <a,b>', 'labels of the built-in worker', '')
    .action((_opts, cmd: Command) => runForeground('all', cmd));
  program
    .command('server')
    .description('run the API server and scheduler only (scale-out)')
    .option('--data-dir <dir>', 'embedded store location when LIFEBOAT_DATABASE_URL is not set', '.lifeboat')
    .option('--port <n>', 'HTTP port', '7420')
    .option('--host <addr>', 'HTTP address to listen on', '127.0.0.1')
    .action((_opts, cmd: Command) => runForeground('server', cmd));
  program
    .command('worker')
    .description('run a worker only (scale-out); it takes the jobs its labels allow')
    .option('--data-dir <dir>', 'embedded store location when LIFEBOAT_DATABASE_URL is not set', '.lifeboat')
    .option('--labels <a,b>', 'labels (network zone, engine) this worker can reach', '')
    .action((_opts, cmd: Command) => runForeground('worker', cmd));
}

async function runForeground(mode: RunMode, cmd: Command): Promise<void> {
  // loaded on demand: client commands need not pay for the server's modules
  const { createLogger } = await import('../../lib/logger.js');
  const { runLifeboat } = await import('../../runtime/run.js');
  const ctx = cliContext(cmd);
  const o = cmd.opts<{ port?: string; host?: string; labels?: string }>();
  const logger = createLogger({ level: ctx.env.LIFEBOAT_LOG_LEVEL ?? 'info' });
  const running = await runLifeboat({
    mode,
    dataDir: ctx.dataDir,
    databaseUrl: ctx.databaseUrl,
    configFile: ctx.configFile,
    host: o.host ?? '127.0.0.1',
    port: parsePort(o.port ?? '7420'),
    labels: (o.labels ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
    staleAfterMs: parseDuration(ctx.env.LIFEBOAT_HEARTBEAT_TIMEOUT ?? '60s') ?? 60_000,
    jobWakeups: ctx.env.LIFEBOAT_JOB_WAKEUPS !== 'off',
    env: ctx.env,
    logger,
  });
  const embedded = running.store.embedded;
  const { DEFAULT_URL, cliInvocation, lifeboatOnPath, startupBanner, thisBin } = await import('../banner.js');
  const { findConfigFile } = await import('../../runtime/config-file.js');
  const { resolve } = await import('node:path');
  // what a new shell in this directory needs to reach this Lifeboat with the CLI's defaults
  const exports: Record<string, string> = {};
  if (running.url && running.url !== DEFAULT_URL) exports.LIFEBOAT_URL = running.url;
  const defaultDataDir = resolve('.lifeboat');
  if (embedded && resolve(ctx.dataDir) !== defaultDataDir) exports.LIFEBOAT_DATA_DIR = resolve(ctx.dataDir);
  if (findConfigFile(undefined, exports.LIFEBOAT_DATA_DIR ?? defaultDataDir) !== running.configFile)
    exports.LIFEBOAT_CONFIG = running.configFile;
  // the demo's users get a one-click way into the web UI
  const signInLinks: Array<{ user: string; url: string }> = [];
  if (running.demo && running.url) {
    const { issueSignInCode } = await import('../../access/sign-in-codes.js');
    for (const user of Object.keys(running.config.current.users)) {
      const { code } = await issueSignInCode(running.store.db, { user, actor: 'lifeboat start' });
      signInLinks.push({ user, url: `${running.url}/sign-in?code=${code}` });
    }
  }
  process.stdout.write(
    startupBanner({
      signInLinks,
      mode,
      url: running.url,
      configFile: running.configFile,
      demo: running.demo,
      store: embedded ? `embedded in ${embedded.dataDir}` : 'LIFEBOAT_DATABASE_URL',
      cli: cliInvocation({ bin: thisBin(), cwd: process.cwd(), onPath: lifeboatOnPath(ctx.env.PATH) }),
      exports,
      users: Object.keys(running.config.current.users),
      warnings: running.config.current.warnings,
      pid: process.pid,
    }),
  );
  // SIGHUP: put an edited lifeboat.yaml in force, as `lifeboat config reload` does through the API
  process.on('SIGHUP', () => {
    const file = running.config.file;
    running.config.reload().then(
      (r) => {
        logger.info(
          { file, changed: r.changed },
          r.changed ? 'lifeboat.yaml reloaded (SIGHUP)' : 'lifeboat.yaml unchanged (SIGHUP)',
        );
        if (r.changed) for (const w of r.catalog.warnings) logger.warn({ file, ...w }, 'config key not acted on yet');
      },
      (err: unknown) => {
        const issues = (err as { issues?: unknown }).issues;
        logger.error(
          { file, ...(Array.isArray(issues) ? { issues } : { err: err instanceof Error ? err.message : String(err) }) },
          'lifeboat.yaml not reloaded (SIGHUP): the configuration in force is unchanged',
        );
      },
    );
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stderr.write(`lifeboat: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // keep running until a signal
  await new Promise<never>(() => {});
}

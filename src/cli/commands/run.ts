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
    env: ctx.env,
    logger,
  });
  const store = running.store.embedded ? `embedded in ${running.store.embedded.dataDir}` : 'LIFEBOAT_DATABASE_URL';
  process.stdout.write(
    [
      `Lifeboat ${mode === 'all' ? 'is running' : `${mode} is running`}${running.url ? ` at ${running.url.replace('http://127.0.0.1', 'http://127.0.0.1')}` : ''}`,
      `  config: ${running.configFile}${running.demo ? ' (demo workspace)' : ''}`,
      `  store:  ${store}`,
      running.demo
        ? '  try:    export LIFEBOAT_TOKEN=$(lifeboat token issue alice); lifeboat backup run CustomerDB --wait'
        : '',
      '  stop:   Ctrl-C',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n',
  );
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

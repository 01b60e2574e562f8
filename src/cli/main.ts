// The `lifeboat` command line: one binary for the server, the worker and the client commands.
// Every failure ends here: a LifeboatError prints its message and hint and exits with the
// contract's code; anything else prints a one-line message (never a stack trace) and exits 1.
import { Command, CommanderError } from 'commander';
import { isLifeboatError, messageOf } from '../errors.js';
import { redact } from '../lib/secret.js';
import { VERSION } from '../version.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDrillCommands } from './commands/drill.js';
import { registerDrCommands } from './commands/dr.js';
import { registerIdentityCommands } from './commands/identity.js';
import { registerMaskingCommands } from './commands/masking.js';
import { registerNotificationCommands } from './commands/notifications.js';
import { registerRestoreCommands } from './commands/restore.js';
import { registerRunCommands } from './commands/run.js';
import { registerSchemaCommands } from './commands/schema.js';
import { registerStatusCommand } from './commands/status.js';
import { EXIT, exitCodeFor } from './exit.js';

export function buildProgram(): Command {
  const program = new Command('lifeboat')
    .description('Self-service database restores, backups and disaster recovery')
    .version(VERSION)
    .option('--config <file>', 'lifeboat.yaml to use (env LIFEBOAT_CONFIG; default ./lifeboat.yaml)')
    .option('--json', 'print one machine-readable JSON document on stdout')
    .option('--url <url>', 'Lifeboat API URL (env LIFEBOAT_URL; default http://127.0.0.1:7420)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRunCommands(program);
  registerConfigCommands(program);
  registerIdentityCommands(program);
  registerBackupCommands(program);
  registerRestoreCommands(program);
  registerMaskingCommands(program);
  registerNotificationCommands(program);
  registerDrillCommands(program);
  registerDrCommands(program);
  registerSchemaCommands(program);
  registerStatusCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err, argv.includes('--json'));
  }
}

function reportError(err: unknown, json: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return EXIT.ok;
    return EXIT.usage; // commander already printed the message
  }
  if (isLifeboatError(err)) {
    if (json) process.stdout.write(`${JSON.stringify(err.toBody(), null, 2)}\n`);
    process.stderr.write(`lifeboat: ${redact(err.message)}\n${err.hint ? `HINT: ${redact(err.hint)}\n` : ''}`);
    return exitCodeFor(err.code);
  }
  process.stderr.write(
    `lifeboat: unexpected error: ${redact(messageOf(err))}\nHINT: set LIFEBOAT_LOG_LEVEL=debug and retry; report it if it persists\n`,
  );
  return EXIT.failed;
}

await main(process.argv);

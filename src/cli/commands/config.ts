// `lifeboat config validate [file]` and `lifeboat config schema`.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('validate lifeboat.yaml, export its JSON Schema');
  config
    .command('validate [file]')
    .description('check a lifeboat.yaml and print every error with its path and line:column')
    .action(async (file: string | undefined, _o, cmd: Command) => {
      // the config modules (zod schema, YAML) load only for the commands that need them
      const [{ ConfigError, loadConfig }, { formatIssues }] = await Promise.all([
        import('../../catalog/load.js'),
        import('../../catalog/format.js'),
      ]);
      const ctx = cliContext(cmd);
      const path = resolve(file ?? ctx.configFile ?? 'lifeboat.yaml');
      try {
        const catalog = loadConfig(path, ctx.env);
        emit(ctx, { valid: true, file: path, issues: [] }, () => {
          const n = (o: object) => Object.keys(o).length;
          return `${path}: valid (${n(catalog.teams)} teams, ${n(catalog.users)} users, ${n(catalog.servers)} servers, ${n(catalog.databases)} databases)`;
        });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const issues = err.issues;
        if (ctx.json) emit(ctx, { valid: false, file: path, issues }, () => '');
        else process.stderr.write(`${formatIssues(issues, path)}\n${issues.length} error(s) in ${path}\n`);
        process.exitCode = EXIT.usage;
      }
    });
  config
    .command('schema')
    .description('print the JSON Schema of lifeboat.yaml (for editors)')
    .action(async () => {
      const { configJsonSchema } = await import('../../catalog/json-schema.js');
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}

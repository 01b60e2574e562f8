// `lifeboat config validate [file]`, `lifeboat config reload` (asks the running server) and
// `lifeboat config schema`.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ConfigIssue } from '../../catalog/config-error.js';
import type { ConfigReloadResponse } from '../../contract/config.js';
import { requireConfigFile } from '../../runtime/config-file.js';
import { cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('validate lifeboat.yaml, export its JSON Schema');
  config
    .command('validate [file]')
    .description('check a lifeboat.yaml and print every error with its path and line:column')
    .option('--data-dir <dir>', 'where `lifeboat start` keeps its demo workspace (env LIFEBOAT_DATA_DIR)')
    .action(async (file: string | undefined, _o, cmd: Command) => {
      // the config modules (zod schema, YAML) load only for the commands that need them
      const [{ ConfigError, loadConfig }, { formatIssues }] = await Promise.all([
        import('../../catalog/load.js'),
        import('../../catalog/format.js'),
      ]);
      const ctx = cliContext(cmd);
      // the same lookup as every other command: --config, LIFEBOAT_CONFIG, ./lifeboat.yaml, the demo's
      const path = file === undefined ? requireConfigFile(ctx.configFile, ctx.dataDir) : resolve(file);
      try {
        const catalog = loadConfig(path, ctx.env);
        const { warnings } = catalog;
        emit(ctx, { valid: true, file: path, issues: [], warnings }, () => {
          const n = (o: object) => Object.keys(o).length;
          const lines = [
            `${path}: valid (${n(catalog.teams)} teams, ${n(catalog.users)} users, ${n(catalog.servers)} servers, ${n(catalog.databases)} databases)`,
          ];
          if (warnings.length > 0) {
            lines.push(formatIssues(warnings, path), `${warnings.length} key(s) accepted but not acted on yet`);
          }
          return lines.join('\n');
        });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const issues = err.issues;
        if (ctx.json) emit(ctx, { valid: false, file: path, issues, warnings: [] }, () => '');
        else process.stderr.write(`${formatIssues(issues, path)}\n${issues.length} error(s) in ${path}\n`);
        process.exitCode = EXIT.usage;
      }
    });
  config
    .command('reload')
    .description('make the running server load lifeboat.yaml again (validated first; dba-admin)')
    .action(async (_o, cmd: Command) => {
      const [{ apiClient }, { formatIssues }, { isLifeboatError }] = await Promise.all([
        import('../client.js'),
        import('../../catalog/format.js'),
        import('../../errors.js'),
      ]);
      const ctx = cliContext(cmd);
      let r: ConfigReloadResponse;
      try {
        r = await apiClient(ctx).request<ConfigReloadResponse>('POST', '/api/v1/config/reload', {});
      } catch (err) {
        const details = isLifeboatError(err) ? (err.details as { file?: string; issues?: ConfigIssue[] }) : undefined;
        if (!isLifeboatError(err) || err.code !== 'config_invalid' || !details?.issues) throw err;
        // the server kept the configuration in force; say why the file was refused, as validate does
        const file = details.file ?? 'lifeboat.yaml';
        if (ctx.json) emit(ctx, err.toBody(), () => '');
        process.stderr.write(
          `${formatIssues(details.issues, file)}\n${details.issues.length} error(s) in ${file}: not reloaded, the configuration in force is unchanged\n`,
        );
        process.exitCode = EXIT.usage;
        return;
      }
      emit(ctx, r, () => {
        const c = r.counts;
        const lines = [
          r.changed
            ? `${r.file}: reloaded (${c.teams} teams, ${c.users} users, ${c.servers} servers, ${c.databases} databases)`
            : `${r.file}: unchanged since it was loaded at ${r.loadedAt}`,
        ];
        if (r.warnings.length > 0) {
          lines.push(formatIssues(r.warnings, r.file), `${r.warnings.length} key(s) accepted but not acted on yet`);
        }
        return lines.join('\n');
      });
    });
  config
    .command('schema')
    .description('print the JSON Schema of lifeboat.yaml (for editors)')
    .action(async () => {
      const { configJsonSchema } = await import('../../catalog/json-schema.js');
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}

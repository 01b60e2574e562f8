// Loading lifeboat.yaml: text → YAML nodes → schema (secrets resolved on the way) and
// cross-entry checks → frozen Catalog. Every problem from every stage is gathered and thrown
// together as one ConfigError, sorted by position, so the file is fixed in one go.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LifeboatError } from '../errors.js';
import { buildCatalog } from './build.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { formatPath } from './config-path.js';
import { crossCheck } from './cross-checks.js';
import { notActedOnWarnings } from './not-yet.js';
import { buildConfigSchema } from './schema.js';
import { resolvingSecretRef } from './secret-ref.js';
import type { Catalog } from './types.js';
import { readYaml } from './yaml-source.js';
import { fromZodIssues } from './zod-issues.js';

export { ConfigError, type ConfigIssue, type ConfigWarning, type IssueCode } from './config-error.js';

export type Env = Record<string, string | undefined>;

export interface ParseOptions {
  /** Where the text came from, for messages and `catalog.file`. */
  file?: string;
  /** Relative paths and `file:` secrets are resolved against it. */
  baseDir: string;
  /** Source of `env:` secrets; only the entry point reads process.env. */
  env: Env;
}

export function parseConfig(text: string, opts: ParseOptions): Catalog {
  const baseDir = resolve(opts.baseDir);
  const file = opts.file === undefined ? undefined : resolve(baseDir, opts.file);

  // YAML first: after a syntax error nothing below could point into the file reliably.
  const { source, issues } = readYaml(text);
  if (source === undefined) throw new ConfigError(issues, file);

  // The schema resolves secrets as it goes, so a missing variable is one more issue in the list.
  const schema = buildConfigSchema(resolvingSecretRef(opts.env, baseDir));
  const parsed = schema.safeParse(source.value);
  if (!parsed.success) issues.push(...fromZodIssues(parsed.error.issues, source, schema));

  // Cross-entry rules run even when the schema failed, so one pass reports everything.
  for (const { path, anchor, hint, ...rest } of crossCheck(source.value)) {
    issues.push({
      path: formatPath(path),
      ...source.position(path, anchor),
      ...rest,
      ...(hint ? { hint } : {}),
    });
  }

  if (issues.length > 0 || !parsed.success) throw new ConfigError(sortIssues(issues), file);
  return buildCatalog(parsed.data, {
    ...(file === undefined ? {} : { file }),
    baseDir,
    warnings: notActedOnWarnings(source),
  });
}

export function loadConfig(file: string, env: Env): Catalog {
  const path = resolve(file);
  return parseConfig(readConfigText(path).toString('utf8'), { file: path, baseDir: dirname(path), env });
}

/** The bytes of a config file, or `config_invalid` saying why they cannot be read. */
export function readConfigText(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new LifeboatError('config_invalid', `unable to read the configuration ${path}: ${reason}`, {
      hint: 'pass --config <file> or set LIFEBOAT_CONFIG; the file is usually ./lifeboat.yaml',
      cause: err,
    });
  }
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}

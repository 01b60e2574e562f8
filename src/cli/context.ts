// The CLI's global settings, parsed once from flags and the environment (the only place the CLI
// reads process.env), and the way every command prints: human text, or one JSON document.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Secret } from '../lib/secret.js';

export interface CliContext {
  json: boolean;
  /** Explicit config file (flag or LIFEBOAT_CONFIG), undefined when neither was given. */
  configFile: string | undefined;
  url: string;
  token: Secret | undefined;
  dataDir: string;
  /** --data-dir or LIFEBOAT_DATA_DIR was given (else `dataDir` is the default ./.lifeboat). */
  dataDirGiven: boolean;
  databaseUrl: Secret | undefined;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

export function cliContext(cmd: Command): CliContext {
  const o = cmd.optsWithGlobals<{ config?: string; json?: boolean; url?: string; dataDir?: string }>();
  const env = process.env;
  const config = o.config ?? env.LIFEBOAT_CONFIG;
  return {
    json: o.json === true,
    configFile: config ? resolve(config) : undefined,
    url: (o.url ?? env.LIFEBOAT_URL ?? 'http://127.0.0.1:7420').replace(/\/+$/, ''),
    token: env.LIFEBOAT_TOKEN ? new Secret(env.LIFEBOAT_TOKEN, 'env:LIFEBOAT_TOKEN') : undefined,
    dataDir: resolve(o.dataDir ?? env.LIFEBOAT_DATA_DIR ?? '.lifeboat'),
    dataDirGiven: o.dataDir !== undefined || env.LIFEBOAT_DATA_DIR !== undefined,
    databaseUrl: env.LIFEBOAT_DATABASE_URL
      ? new Secret(env.LIFEBOAT_DATABASE_URL, 'env:LIFEBOAT_DATABASE_URL')
      : undefined,
    env: { ...env },
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

/** Prints a result: the JSON document with --json, else the human text. */
export function emit(ctx: Pick<CliContext, 'json'>, doc: unknown, human: () => string): void {
  if (ctx.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else {
    const text = human();
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

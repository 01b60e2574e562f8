// Direct access to the control-plane store for the commands that must not go through the API
// (`token issue`, `audit verify --data-dir`): the embedded store under --data-dir — started for
// the duration of the command if `lifeboat start` is not running — or LIFEBOAT_DATABASE_URL.
// These commands read an existing store and never create one (STYLE.md §24): with no store
// where they look they fail with exit 2 and a hint, leaving the directory as it was.
import { userInfo } from 'node:os';
import { loadConfig } from '../catalog/load.js';
import type { Catalog } from '../catalog/types.js';
import { findConfigFile, requireConfigFile } from '../runtime/config-file.js';
import type { Store } from '../store/open.js';
import type { CliContext } from './context.js';

export async function withStore<T>(
  ctx: CliContext,
  fn: (store: Store) => Promise<T>,
  opts: { missingHint?: string } = {},
): Promise<T> {
  const { openStore } = await import('../store/open.js');
  const store = await openStore({
    databaseUrl: ctx.databaseUrl,
    dataDir: ctx.dataDir,
    applicationName: 'lifeboat-cli',
    create: false,
    missingHint: opts.missingHint,
  });
  try {
    return await fn(store);
  } finally {
    await store.close({ stopEmbedded: true });
  }
}

export function cliCatalog(ctx: CliContext): Catalog {
  return loadConfig(requireConfigFile(ctx.configFile, ctx.dataDir), ctx.env);
}

/** The catalog when a lifeboat.yaml is found, else undefined (for commands that can do without). */
export function optionalCliCatalog(ctx: CliContext): Catalog | undefined {
  const file = findConfigFile(ctx.configFile, ctx.dataDir);
  return file === undefined ? undefined : loadConfig(file, ctx.env);
}

/** The actor recorded in the audit trail for direct store access. */
export function localActor(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {}
  return `local:${name}`;
}

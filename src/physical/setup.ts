// `lifeboat backup physical setup <server>`: writes the stanza's pgbackrest.conf, creates the
// stanza, checks that WAL archiving reaches the repository, and says the exact settings the
// server needs (archive_mode, wal_level, archive_command, archive_timeout).
import type { Catalog } from '../catalog/types.js';
import { getServerOf, getRepo } from './lookup.js';
import { stanzaPaths, writePgBackRestConf } from './conf.js';
import { PGBACKREST_BIN, pgbackrest, pgbackrestRaw, type PhysicalServer, secretsOf } from './pgbackrest.js';
import { redact } from '../lib/secret.js';
import { tail } from '../lib/process.js';

export interface RequiredSettings {
  archive_mode: 'on';
  wal_level: 'replica';
  archive_command: string;
  archive_timeout?: string;
}

/** The postgresql.conf settings that make the server archive its WAL into the stanza. */
export function requiredSettings(server: PhysicalServer): RequiredSettings {
  const cfg = server.pgbackrest;
  const out: RequiredSettings = {
    archive_mode: 'on',
    wal_level: 'replica',
    archive_command: `${PGBACKREST_BIN} --config=${stanzaPaths(cfg).conf} --stanza=${cfg.stanza} archive-push %p`,
  };
  if (cfg.archiveTimeout) out.archive_timeout = `${Math.max(1, Math.round(cfg.archiveTimeout.ms / 1000))}s`;
  return out;
}

/** The settings as postgresql.conf lines. */
export function settingsLines(s: RequiredSettings): string[] {
  return Object.entries(s).map(([k, v]) => `${k} = '${String(v).replace(/'/g, "''")}'`);
}

export interface SetupResult {
  server: string;
  stanza: string;
  conf: string;
  settings: RequiredSettings;
  /** `pgbackrest check` passed: WAL archiving reaches the repository. */
  archiving: boolean;
  /** Why check failed (redacted), when it did. */
  checkError?: string;
}

export async function setupStanza(catalog: Catalog, serverName: string, signal?: AbortSignal): Promise<SetupResult> {
  const server = getServerOf(catalog, serverName);
  const storage = getRepo(catalog, server);
  const paths = writePgBackRestConf(server, storage);
  const settings = requiredSettings(server);
  await pgbackrest({
    server,
    storage,
    command: 'stanza-create',
    ...(signal ? { signal } : {}),
    what: `unable to create stanza ${server.pgbackrest.stanza} of server ${server.name}`,
    hint: `check that pgbackrest.pg_data is the cluster's data directory, socket_path its Unix socket directory, and that the url's user is a superuser`,
  });
  const check = await pgbackrestRaw({ server, storage, command: 'check', ...(signal ? { signal } : {}) });
  const result: SetupResult = {
    server: server.name,
    stanza: server.pgbackrest.stanza,
    conf: paths.conf,
    settings,
    archiving: check.code === 0,
  };
  if (check.code !== 0) {
    result.checkError = redact(tail(`${check.stderr}\n${check.stdout}`, 4), secretsOf(server, storage));
  }
  return result;
}

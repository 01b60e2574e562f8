// The pgBackRest configuration file Lifeboat writes for a server's stanza. Rendering is pure (and
// table-tested); writing puts it in the stanza's config directory, mode 0600, owned by the
// cluster's OS user, the only place the repository's keys and nothing else ever go. The database
// password is not in it: pgBackRest gets it through PGPASSWORD when Lifeboat runs it.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PgBackRestConfig, ServerConfig, StorageConfig } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import { readCaFile } from '../storage/s3.js';
import { giveTo, osUserRunAs } from './os-user.js';

export interface StanzaPaths {
  dir: string;
  conf: string;
  log: string;
  lock: string;
  spool: string;
  /** The S3 endpoint's CA certificate, copied where the OS user can read it. */
  ca: string;
}

export function stanzaPaths(cfg: Pick<PgBackRestConfig, 'configDir'>): StanzaPaths {
  const dir = cfg.configDir;
  return {
    dir,
    conf: join(dir, 'pgbackrest.conf'),
    log: join(dir, 'log'),
    lock: join(dir, 'lock'),
    spool: join(dir, 'spool'),
    ca: join(dir, 'repo-ca.pem'),
  };
}

/** Where the server's URL says it listens and who connects (host and password stay out). */
export interface PgConnection {
  port: number;
  user: string;
  database: string;
}

export function pgConnection(server: Pick<ServerConfig, 'name' | 'url'>): PgConnection {
  let u: URL;
  try {
    u = new URL(server.url.reveal());
  } catch {
    throw new LifeboatError('invalid_request', `the url of server ${server.name} is not a postgres:// URL`, {
      hint: 'write it as postgres://user:password@host:port/database',
    });
  }
  return {
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
}

/**
 * The repository options of a storage entry (repo1-*). pgBackRest reaches S3 over TLS only (an
 * http:// endpoint is refused when the configuration is loaded); a private CA is given by
 * `caFile`, the copy of the storage's `ca:` in the stanza's config directory.
 */
export function repoOptions(storage: StorageConfig, caFile?: string): Array<[string, string]> {
  if (storage.type === 'filesystem') return [['repo1-path', join(storage.path, 'pgbackrest')]];
  const endpoint = storage.endpoint ? new URL(storage.endpoint) : undefined;
  const opts: Array<[string, string]> = [
    ['repo1-type', 's3'],
    ['repo1-path', `/${(storage.prefix ?? '').replace(/^\/+|\/+$/g, '')}/pgbackrest`.replace(/^\/\/+/, '/')],
    ['repo1-s3-bucket', storage.bucket],
    ['repo1-s3-region', storage.region === 'auto' ? 'us-east-1' : storage.region],
    [
      'repo1-s3-endpoint',
      endpoint ? endpoint.hostname : `s3.${storage.region === 'auto' ? 'us-east-1' : storage.region}.amazonaws.com`,
    ],
  ];
  if (endpoint?.port) opts.push(['repo1-storage-port', endpoint.port]);
  if (storage.ca && caFile) opts.push(['repo1-storage-ca-file', caFile]);
  if (storage.forcePathStyle) opts.push(['repo1-s3-uri-style', 'path']);
  if (storage.accessKeyId && storage.secretAccessKey) {
    opts.push(
      ['repo1-s3-key', storage.accessKeyId.reveal()],
      ['repo1-s3-key-secret', storage.secretAccessKey.reveal()],
    );
  } else {
    opts.push(['repo1-s3-key-type', 'auto']);
  }
  return opts;
}

/** The text of pgbackrest.conf for one server's stanza. */
export function renderPgBackRestConf(
  server: ServerConfig & { pgbackrest: PgBackRestConfig },
  storage: StorageConfig,
): string {
  const cfg = server.pgbackrest;
  const paths = stanzaPaths(cfg);
  const pg = pgConnection(server);
  const global: Array<[string, string]> = [
    ...repoOptions(storage, paths.ca),
    ['repo1-retention-full', String(cfg.retentionFull)],
    ['log-path', paths.log],
    ['lock-path', paths.lock],
    ['spool-path', paths.spool],
    ['log-level-file', 'info'],
    ['log-level-console', 'warn'],
    ['start-fast', 'y'],
    ['process-max', String(cfg.processMax)],
  ];
  const stanza: Array<[string, string]> = [
    ['pg1-path', cfg.pgData],
    ['pg1-port', String(pg.port)],
    ['pg1-user', pg.user],
    ['pg1-database', pg.database],
  ];
  if (cfg.socketPath) stanza.push(['pg1-socket-path', cfg.socketPath]);
  const section = (name: string, kv: Array<[string, string]>) =>
    `[${name}]\n${kv.map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
  return `# written by Lifeboat for server ${server.name}: changes are overwritten\n${section('global', global)}\n${section(cfg.stanza, stanza)}`;
}

/** Writes pgbackrest.conf and the log, lock and spool directories, all the OS user's. */
export function writePgBackRestConf(
  server: ServerConfig & { pgbackrest: PgBackRestConfig },
  storage: StorageConfig,
): StanzaPaths {
  const who = osUserRunAs(server.pgbackrest.osUser);
  const paths = stanzaPaths(server.pgbackrest);
  mkdirSync(dirname(paths.dir), { recursive: true }); // parents keep the default mode: the OS user enters them
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  giveTo(who, paths.dir);
  for (const d of [paths.log, paths.lock, paths.spool]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    giveTo(who, d);
  }
  if (storage.type === 's3' && storage.ca) {
    const pem = readCaFile(storage.ca, storage.name);
    writeFileSync(paths.ca, pem, { mode: 0o600 });
    chmodSync(paths.ca, 0o600);
    giveTo(who, paths.ca);
  }
  writeFileSync(paths.conf, renderPgBackRestConf(server, storage), { mode: 0o600 });
  chmodSync(paths.conf, 0o600);
  giveTo(who, paths.conf);
  if (storage.type === 'filesystem') {
    const repo = join(storage.path, 'pgbackrest');
    mkdirSync(storage.path, { recursive: true }); // the OS user must enter it
    mkdirSync(repo, { recursive: true, mode: 0o750 });
    giveTo(who, repo);
  }
  return paths;
}

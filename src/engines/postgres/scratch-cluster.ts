// A throwaway PostgreSQL cluster on the Lifeboat host, for schemas that are not in a live database:
// a reference SQL file applied, or a backup's schema restored (pg_restore --schema-only), so that
// they can be snapshotted and compared by migra. Never a catalog server: nothing Lifeboat manages
// is touched. The cluster is initialised in a fresh temporary directory (initdb --no-sync,
// listening on 127.0.0.1 only, run as the `postgres` OS user), and stopped and deleted when the
// work is done, on failure too.
//
// SQL from a file is untrusted input (anyone who may compare schemas can send one): it is applied
// statement by statement as an ordinary role, never a superuser, so it cannot reach the host
// (COPY … PROGRAM, untrusted languages). Only CREATE EXTENSION and COMMENT ON EXTENSION, matched
// whole, run as the superuser: an extension's script is the one installed on the host. A role the
// file names that does not exist is created (NOLOGIN, no privileges) and granted to the applying
// role, so GRANT and CREATE POLICY … TO work as in the real database; CREATE ROLE/USER/GROUP makes
// such a role whatever the options it asks for. Ownership is not part of a schema document (nor of
// migra's comparison), so `ALTER … OWNER TO …` statements (pg_dump writes one per object) are
// skipped: in PostgreSQL 15 the new owner would also need CREATE on the schema.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { LifeboatError } from '../../errors.js';
import { Secret } from '../../lib/secret.js';
import { lineAt, splitSqlScript } from '../../schema/sql-statements.js';
import { clusterUrl, initCluster, startCluster, stopCluster } from './local-cluster.js';
import { withClient } from './admin.js';
import { clientConfig } from './libpq.js';

const SUPERUSER = 'lifeboat_scratch_admin';
const APPLIER = 'lifeboat_scratch';
/** psql meta-commands pg_dump writes that change nothing in the database. */
const HARMLESS_META = /^\\(restrict|unrestrict)\b/;
const OWNER_TO = /^alter\s+[a-z ]+\s.*\sowner\s+to\s+("(?:[^"]|"")+"|[\w$]+)\s*;?$/is;
const CREATE_ROLE = /^create\s+(?:role|user|group)\s+("(?:[^"]|"")+"|[\w$]+)/i;
const AS_SUPERUSER =
  /^(create\s+extension(\s+if\s+not\s+exists)?\s+("[^"]+"|[\w$]+)(\s+with)?(\s+schema\s+("[^"]+"|[\w$]+)|\s+version\s+('[^']*'|"[^"]+"|[\w$.]+)|\s+cascade)*|comment\s+on\s+extension\s+("[^"]+"|[\w$]+)\s+is\s+('([^']|'')*'|null))\s*;?$/is;

/** The name every scratch directory of this process starts with, in the temp directory. */
export const scratchPrefix = () => `lifeboat-scratch-p${process.pid}-`;

export interface ScratchCluster {
  /** The superuser (for pg_restore of Lifeboat's own backups, and creating databases). */
  readonly admin: Secret;
  /** The ordinary role untrusted SQL is applied as. */
  readonly applier: Secret;
  /** A new, empty database owned by the applying role. */
  createDatabase(name: string): Promise<void>;
}

/** Runs `fn` with a throwaway cluster, always stopped and deleted afterwards. */
export async function withScratchCluster<T>(fn: (c: ScratchCluster) => Promise<T>): Promise<T> {
  // the process id in the name says whose it is (a cluster left by a killed process is recognisable)
  const root = mkdtempSync(join(tmpdir(), scratchPrefix()));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'pg');
  try {
    const password = randomBytes(18).toString('base64url');
    const applierPassword = randomBytes(18).toString('base64url');
    await initCluster({ dataDir, superuser: SUPERUSER, password, durable: false });
    const port = await startCluster(dataDir);
    const admin = new Secret(clusterUrl({ port, superuser: SUPERUSER, password }));
    const applier = new Secret(clusterUrl({ port, superuser: APPLIER, password: applierPassword }));
    await withClient(admin, 'postgres', async (c) => {
      await c.query(`create role ${APPLIER} login password '${applierPassword}'`);
      // a hostile file cannot keep the cluster busy for ever
      await c.query(`alter role ${APPLIER} set statement_timeout = '5min'`);
    });
    return await fn({
      admin,
      applier,
      createDatabase: (name) =>
        withClient(admin, 'postgres', async (c) => {
          await c.query(`create database ${pg.escapeIdentifier(name)} owner ${APPLIER}`);
        }),
    });
  } finally {
    await stopCluster(dataDir, 'immediate').catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Applies a SQL script to database `dbname` of the scratch cluster, statement by statement. A
 * failing statement is an error naming `label` (the file) and the line, with a hint.
 */
export async function applySqlScript(c: ScratchCluster, dbname: string, text: string, label: string): Promise<void> {
  const notSql = (why: string, line?: number) =>
    new LifeboatError('invalid_request', `unable to apply ${label}${line ? ` at line ${line}` : ''}: ${why}`, {
      hint: 'a reference file is SQL that creates the schema, e.g. the output of `pg_dump --schema-only`',
    });
  if (text.includes('\0')) throw notSql('it is not a text file');
  const items = splitSqlScript(text);
  for (const item of items) {
    if (item.kind === 'meta' && !HARMLESS_META.test(item.command)) {
      throw notSql(`psql meta-command ${item.command.split(/\s/)[0]} is not run`, item.line);
    }
  }
  const statements = items.filter((s) => s.kind === 'statement');
  if (statements.length === 0) throw notSql('it holds no SQL statement');
  const client = new pg.Client(clientConfig(c.applier, dbname, 'lifeboat-schema'));
  client.on('error', () => {});
  const admin = new pg.Client(clientConfig(c.admin, dbname, 'lifeboat-schema'));
  admin.on('error', () => {});
  await client.connect();
  await admin.connect();
  try {
    let created = 0;
    const makeRole = async (quoted: string) => {
      created++;
      await admin.query(`create role ${quoted} nologin`);
      await admin.query(`grant ${quoted} to ${APPLIER}`);
    };
    for (const s of statements) {
      if (OWNER_TO.test(s.sql)) continue;
      const role = CREATE_ROLE.exec(s.sql);
      if (role) {
        const written = role[1]!;
        const name = written.startsWith('"') ? written.slice(1, -1).replace(/""/g, '"') : written.toLowerCase();
        const exists = await admin.query('select 1 from pg_roles where rolname = $1', [name]);
        if (exists.rowCount === 0 && created < 1000) await makeRole(pg.escapeIdentifier(name));
        continue;
      }
      const superuser = AS_SUPERUSER.test(s.sql);
      for (;;) {
        try {
          await (superuser ? admin : client).query(s.sql);
          break;
        } catch (err) {
          const e = err as pg.DatabaseError;
          const role = e.code === '42704' ? /^role "(.+)" does not exist$/.exec(e.message ?? '') : null;
          if (role && created < 1000) {
            await makeRole(pg.escapeIdentifier(role[1]!));
            continue;
          }
          const line = e.position ? lineAt(s, Number(e.position)) : s.line;
          const first = s.sql.split('\n')[0]!.slice(0, 80);
          throw new LifeboatError(
            'invalid_request',
            `unable to apply ${label}: the statement at line ${line} failed: ${e.message} (${first}${first.length < s.sql.length ? '…' : ''})`,
            {
              hint:
                e.code === '42501'
                  ? 'reference SQL is applied as an ordinary role in a throwaway cluster: statements that need a superuser (other than CREATE EXTENSION) cannot run'
                  : `fix the statement at line ${line} of ${label}; the file must apply to an empty database`,
            },
          );
        }
      }
    }
  } finally {
    await client.end().catch(() => {});
    await admin.end().catch(() => {});
  }
}

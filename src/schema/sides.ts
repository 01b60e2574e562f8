// Resolving one side of a schema diff to its document: a live database (read now), a stored
// snapshot, a backup (the snapshot its manifest recorded in the dump's snapshot), a document the
// client sent, or a SQL script the client sent (applied to a scratch database, materialise.ts).
// Each side says which database it belongs to, so the route can check access. With `sql`, a
// backup side is also restored (schema only) into a scratch database, for migra.
import { getDatabase } from '../catalog/lookup.js';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import type { SchemaSide } from '../contract/schema.js';
import { LifeboatError } from '../errors.js';
import type { LiveDatabase } from '../engines/postgres/migra.js';
import { getServer } from '../catalog/lookup.js';
import type { Db } from '../store/db.js';
import type { SchemaDocument } from './document.js';
import { materialiseBackup, materialiseSql, type Scratch } from './materialise.js';
import { getSnapshot, readLive } from './snapshots.js';

export interface ResolvedSide {
  label: string;
  document: SchemaDocument;
  /** The catalog database it belongs to (none for a document sent along). */
  database?: DatabaseConfig;
  /** A database holding this schema while the request runs (a live one, or a scratch one): migra reads it. */
  live?: LiveDatabase;
}

/** The catalog database a side belongs to, before anything is read (for the access check). */
export async function sideDatabase(db: Db, catalog: Catalog, side: SchemaSide): Promise<DatabaseConfig | undefined> {
  switch (side.kind) {
    case 'live':
      return getDatabase(catalog, side.database);
    case 'snapshot':
      return getDatabase(catalog, (await getSnapshot(db, side.id)).database);
    case 'backup':
      return getDatabase(catalog, (await backupRow(db, side.id)).database);
    case 'document':
    case 'sql':
      return undefined;
    default: {
      const never: never = side;
      throw new Error(`unknown side ${JSON.stringify(never)}`);
    }
  }
}

export async function resolveSide(
  db: Db,
  catalog: Catalog,
  side: SchemaSide,
  opts: { scratch: Scratch; sql: boolean },
): Promise<ResolvedSide> {
  switch (side.kind) {
    case 'live': {
      const database = getDatabase(catalog, side.database);
      return {
        label: `live:${database.name}`,
        document: await readLive(catalog, database),
        database,
        live: { url: getServer(catalog, database.server).url, dbname: database.dbname },
      };
    }
    case 'snapshot': {
      const s = await getSnapshot(db, side.id);
      return {
        label: `snapshot ${s.id} of ${s.database}`,
        document: s.document,
        database: getDatabase(catalog, s.database),
      };
    }
    case 'backup': {
      const row = await backupRow(db, side.id);
      const manifest = row.manifest as { schemaSnapshot?: SchemaDocument } | null;
      if (!manifest?.schemaSnapshot) {
        throw new LifeboatError('invalid_request', `backup ${side.id} has no schema snapshot`, {
          hint:
            row.status === 'completed' || row.status === 'verified'
              ? 'it was taken before backups recorded their schema; take a new backup, or diff a snapshot'
              : `its status is ${row.status}: only a finished backup records its schema`,
        });
      }
      const database = getDatabase(catalog, row.database);
      return {
        label: `backup ${side.id} of ${row.database}`,
        document: manifest.schemaSnapshot,
        database,
        ...(opts.sql ? { live: await materialiseBackup({ db, catalog }, opts.scratch, side.id, database) } : {}),
      };
    }
    case 'document':
      return { label: side.label, document: side.document };
    case 'sql': {
      const m = await materialiseSql(opts.scratch, side.sql, side.label);
      return { label: side.label, document: m.document, live: m.live };
    }
    default: {
      const never: never = side;
      throw new Error(`unknown side ${JSON.stringify(never)}`);
    }
  }
}

async function backupRow(db: Db, id: string) {
  const row = await db
    .selectFrom('backups')
    .select(['database', 'status', 'manifest'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) {
    throw new LifeboatError('not_found', `backup ${id} does not exist`, {
      hint: '`lifeboat backup list <database>` lists the backups of a database',
    });
  }
  return row;
}

// Connecting to a live database to read its schema document, in one read-only transaction so the
// document is one consistent state. Connection failures say which database and never the URL.
import pg from 'pg';
import { LifeboatError } from '../../errors.js';
import { redact, type Secret } from '../../lib/secret.js';
import type { SchemaDocument } from '../../schema/document.js';
import { clientConfig } from './libpq.js';
import { readSchemaDocument } from './schema-snapshot.js';

export async function readLiveSchema(url: Secret, dbname: string): Promise<SchemaDocument> {
  const client = new pg.Client(clientConfig(url, dbname, 'lifeboat-schema'));
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('begin isolation level repeatable read read only');
    // pg_get_expr locks each table it deparses (ACCESS SHARE): a table held in ACCESS EXCLUSIVE
    // (a long migration) fails the read after a while instead of hanging the request
    await client.query("set local lock_timeout = '30s'");
    const doc = await readSchemaDocument(client);
    await client.query('rollback');
    return doc;
  } catch (err) {
    throw new LifeboatError(
      'engine_failed',
      `unable to read the schema of database ${dbname}: ${redact((err as Error).message, [url])}`,
      { hint: 'check the server URL, the credentials and that the database exists', cause: err },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

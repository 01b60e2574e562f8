// A database is reached by its exact name, whatever characters the name holds: the pg client is
// given the name as it is, not inside a URL that pg would decode differently (src/engines/postgres/libpq.ts).
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withClient } from '../../src/engines/postgres/admin.js';
import { exportSnapshot } from '../../src/engines/postgres/dump.js';
import { startTestCluster } from '../harness/cluster.js';

// each of these reached another database, or none, when the name went through the URL
const NAMES = [`it's`, `a"b`, 'a?b', 'a#b', 'x/y', 'a@b', '..', '.', 'a%3Fb', 'a+b;c=d&e', 'Ünïcødé 😀'];

describe('database names', () => {
  it('connects to the database of exactly the name given', async () => {
    const c = await startTestCluster('names');
    for (const name of NAMES) await c.query('postgres', `create database ${pg.escapeIdentifier(name)}`);
    const reached: string[] = [];
    for (const name of NAMES) {
      reached.push(
        await withClient(
          c.secretUrl(),
          name,
          async (cl) => (await cl.query('select current_database() as d')).rows[0].d,
        ),
      );
    }
    expect(reached).toEqual(NAMES);
    // the backup's snapshot, too, is taken in the database named
    await withClient(c.secretUrl(), 'a?b', (cl) => cl.query('create table only_in_a_question_b (id int)'));
    const snapshot = await exportSnapshot(c.secretUrl(), 'a?b');
    try {
      expect(snapshot.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['public.only_in_a_question_b']);
    } finally {
      await snapshot.release();
    }
  });
});

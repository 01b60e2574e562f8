// Masked table-scoped restores (`--tables`) into a development destination: the scoped tables'
// rows are replaced in one transaction, masked on their way in by the same engine as a whole
// restore; a rule whose output cannot fit, or a column the destination lacks, fails before any
// row changes; the leak check runs
// inside the transaction, so a leak rolls it back; a masked and an unmasked table mix in one scope.
import { beforeAll, describe, expect, it } from 'vitest';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers, tableContents } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { CUSTOMER_TEMPLATE_DB } from '../harness/paths.js';
import { backedUp as backedUpWith, requestRestoreCli } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

const RULES = `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.customers, column: email, transform: email }
        - { table: public.customers, column: full_name, transform: name }
`;

const backedUp = (masking: string) => backedUpWith(servers, fixtureConfig({ databaseExtra: masking }));

/** A destination with the fixture's tables, its rows made distinguishable from the backup's. */
async function destination(dbname: string): Promise<void> {
  await servers.dev.createDatabase(dbname, CUSTOMER_TEMPLATE_DB);
  await servers.dev.query(
    dbname,
    `update customers set notes = 'destination row', email = 'dest' || id || '@dest.example';
     delete from orders where id % 2 = 0;
     update orders set status = 'destination'`,
  );
}

const scoped = (lb: TestLifeboat, dbname: string, tables: string) =>
  requestRestoreCli(lb, dbname, { extra: ['--tables', tables] });

const sourceCustomers = () =>
  servers.prod.query<{ id: string; email: string; full_name: string; birth_date: string | null; notes: string | null }>(
    'customer',
    'select id, email, full_name, birth_date::text, notes from customers order by id',
  );

describe('a masked table-scoped restore', () => {
  let lb: TestLifeboat;
  beforeAll(async () => {
    lb = await backedUp(RULES);
  });

  it('masks the scoped table in the stream, inside the transaction, and leaves the other tables alone', async () => {
    await destination('scoped_masked');
    const ordersBefore = await servers.dev.query('scoped_masked', 'select * from orders order by id');
    const r = await scoped(lb, 'scoped_masked', 'customers');
    expect(r.stderr).toBe('');
    expect(r.run.error ?? null).toBeNull();
    expect(r.run.status).toBe('completed');

    const src = await sourceCustomers();
    const dst = await servers.dev.query<(typeof src)[number]>(
      'scoped_masked',
      'select id, email, full_name, birth_date::text, notes from customers order by id',
    );
    expect(dst).toHaveLength(src.length);
    const originals = new Set(src.map((c) => c.email));
    for (const [i, d] of dst.entries()) {
      const s = src[i]!;
      expect(d.id).toBe(s.id);
      expect(originals.has(d.email), `customer ${d.id}`).toBe(false);
      expect(d.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
      expect(d.email).not.toMatch(/@dest\.example$/);
      expect(d.full_name).not.toBe(s.full_name);
      // the columns without a rule are the backup's
      expect([d.birth_date, d.notes]).toEqual([s.birth_date, s.notes]);
    }
    // distinct inputs, distinct outputs
    expect(new Set(dst.map((d) => d.email)).size).toBe(originals.size);
    expect(await servers.dev.query('scoped_masked', 'select * from orders order by id')).toEqual(ordersBefore);

    const log = JSON.parse(
      (await lifeboat(['restore', 'show', String(r.run.id), '--log', '--json'], { env: await lb.cliEnv('jsmith') }))
        .stdout,
    ).log as string;
    expect(log).toContain('masking public.customers (email: email, full_name: name)');
    expect(log).toMatch(/leak check public\.customers\.email: 0 of \d+ sampled originals found/);
    expect(log).toContain('replaced the rows of public.customers in one transaction');
  });

  it('a scope of a masked and an unmasked table: the masked one masked, the other as the backup has it', async () => {
    await destination('scoped_mixed');
    const r = await scoped(lb, 'scoped_mixed', 'customers,orders');
    expect(r.run.error ?? null).toBeNull();
    expect(r.run.status).toBe('completed');
    const src = await tableContents(servers.prod, 'customer');
    const dst = await tableContents(servers.dev, 'scoped_mixed');
    expect(dst['public.orders']).toEqual(src['public.orders']);
    expect(dst['"Sales Dept"."Order"']).toEqual(src['"Sales Dept"."Order"']);
    const originals = new Set((await sourceCustomers()).map((c) => c.email));
    const emails = await servers.dev.query<{ email: string }>('scoped_mixed', 'select email from customers');
    expect(emails).toHaveLength(originals.size);
    expect(emails.filter((e) => originals.has(e.email))).toEqual([]);
  });
});

describe('a masked table-scoped restore that must not write', () => {
  it('a rule whose output cannot fit fails before any row changes', async () => {
    // first_name would break customers.email's UNIQUE constraint
    const lb = await backedUp(RULES.replace('column: email, transform: email', 'column: email, transform: first_name'));
    await destination('scoped_unfit');
    const before = await tableContents(servers.dev, 'scoped_unfit');
    const r = await scoped(lb, 'scoped_unfit', 'customers');
    expect(r.run.status).toBe('failed');
    expect(r.run.errorStep).toBe('restore');
    expect(r.run.error).toMatch(/public\.customers\.email.*first_name.*UNIQUE/);
    expect(await tableContents(servers.dev, 'scoped_unfit')).toEqual(before);
  });

  it("a column of the backup's data that the destination's table lacks fails before any row changes", async () => {
    const lb = await backedUp(RULES);
    await destination('scoped_narrow');
    await servers.dev.query('scoped_narrow', 'alter table customers drop column notes');
    const before = await tableContents(servers.dev, 'scoped_narrow');
    const r = await scoped(lb, 'scoped_narrow', 'customers');
    expect(r.run.status).toBe('failed');
    expect(r.run.errorStep).toBe('restore');
    expect(r.run.error).toBe(
      "public.customers: the backup's data has a column notes that the destination's table lacks",
    );
    expect(await tableContents(servers.dev, 'scoped_narrow')).toEqual(before);
  });

  it('the leak check inside the transaction finds originals left by a rule: rolled back, naming the column', async () => {
    const lb = await backedUp(
      RULES.replace(
        'column: full_name, transform: name }',
        "column: full_name, transform: regex_replace, options: { pattern: 'ZZZ-never-matches', replacement: x } }",
      ),
    );
    await destination('scoped_leaky');
    const before = await tableContents(servers.dev, 'scoped_leaky');
    const r = await scoped(lb, 'scoped_leaky', 'customers');
    expect(r.run.status).toBe('failed');
    expect(r.run.errorStep).toBe('restore');
    expect(r.run.error).toMatch(
      /^the restored rows were rolled back: \d+ of \d+ sampled original values of public\.customers\.full_name \(regex_replace\) are still present after masking$/,
    );
    // the originals never appear in the run's error or log
    const log = JSON.parse(
      (await lifeboat(['restore', 'show', String(r.run.id), '--log', '--json'], { env: await lb.cliEnv('jsmith') }))
        .stdout,
    ).log as string;
    const originals = (await sourceCustomers()).map((c) => c.full_name);
    expect(originals.filter((e) => log.includes(e) || r.run.error!.includes(e))).toEqual([]);
    expect(await tableContents(servers.dev, 'scoped_leaky')).toEqual(before);
  });
});

// The codec and the stream against a real PostgreSQL: what `COPY … TO STDOUT` writes decodes to
// exactly the values SELECT returns, and encoding those values gives PostgreSQL's bytes back;
// escape forms PostgreSQL accepts on input decode as PostgreSQL decodes them; a masked stream
// loads back into PostgreSQL with unmasked columns identical; and the leak query finds the
// originals an identity-like rule lets through.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { pgBin } from '../../src/engines/postgres/binaries.js';
import { run } from '../../src/lib/process.js';
import { decodeField, decodeRow, encodeRow } from '../../src/masking/copy-codec.js';
import { maskCopyStream, type MaskRule } from '../../src/masking/copy-stream.js';
import { LeakSampler, leakCheckQuery } from '../../src/masking/leak-check.js';
import { createTransformer, type RuleSpec } from '../../src/masking/transformers/index.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';
import { randomText, Rng } from './generators.js';
import { col, KEY } from './helpers.js';

const DB = 'masking';
// pg_dump's session settings, so dates and timestamps print the same in psql and in node-postgres
const SESSION = '-c DateStyle=ISO -c TimeZone=UTC -c extra_float_digits=1';

let c: TestCluster;

async function psql(sql: string, input?: string): Promise<string> {
  const res = await run(pgBin('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', c.url(DB), '-c', sql], {
    env: { ...process.env, PGOPTIONS: SESSION },
    maxOutput: 256 << 20,
    ...(input === undefined ? {} : { input }),
  });
  if (res.code !== 0) throw new Error(`psql failed: ${res.stderr}`);
  return res.stdout;
}

async function select(sql: string, values: unknown[] = []): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: c.url(DB), options: SESSION });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const TRICKY: (string | null)[] = [
  null,
  '',
  '\\N',
  '\\\\N',
  'N',
  '\\.',
  '.',
  '\\',
  'ends with a backslash\\',
  'a\\Nb',
  '\\N\\N',
  '\t',
  'tab\there',
  '\n',
  'line1\nline2',
  '\r\n',
  'cr\ronly',
  '\b\f\v',
  Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('') + '\x7f',
  'Zoë Ł 中文 😀 🚣 e\u0301 \u00a0 \u2028 \ufeff',
  '\\x41 \\101 \\q',
  '{a,"b c",NULL}',
  '{"a": "b\\nc"}',
  ' leading and trailing spaces ',
  'Bob@Example.com',
  'bob@example.com',
];

beforeAll(async () => {
  c = await startTestCluster('mask');
  await c.createDatabase(DB);
  await c.query(DB, 'create extension citext');
  await c.query(
    DB,
    `create table t (id int primary key, v text, ci citext, a text[], j jsonb, js json, n numeric(14,4), i integer,
       d date, ts timestamp, tz timestamptz, u uuid, f double precision)`,
  );
  const rng = new Rng(42);
  const texts = [...TRICKY];
  for (let i = 0; i < 1500; i++) texts.push(randomText(rng, 30));
  await select(
    `insert into t (id, v, ci, a, j, js, n, i, d, ts, tz, u, f)
     select id, v, v,
       case when id % 5 = 0 then null else array[v, 'b c', null, 'q"uote', 'back\\slash', E'tab\\t', E'nl\\n']::text[] end,
       case when id % 7 = 0 then null else jsonb_build_object('email', v, 'n', 1.10, 'nested', jsonb_build_object('k', E'a\\nb\\\\', 'list', jsonb_build_array(v, 2, null))) end,
       case when id % 7 = 0 then null else ('{"keep": 1.10, "v": ' || to_json(v)::text || ', "d": 1, "d": 2}')::json end,
       case when id % 3 = 0 then null else (id * 12.3456)::numeric(14,4) end,
       id * 7,
       case when id % 4 = 0 then null else date '2000-01-01' + id end,
       timestamp '2001-02-03 04:05:06.789' + id * interval '1 hour',
       timestamptz '2001-02-03 04:05:06.789+00' + id * interval '1 minute',
       md5(id::text)::uuid,
       id / 3.0
     from (select v, id::int as id from unnest($1::text[]) with ordinality as x(v, id)) as x`,
    [texts],
  );
});

const COLUMNS = ['id', 'v', 'ci', 'a', 'j', 'js', 'n', 'i', 'd', 'ts', 'tz', 'u', 'f'];
const AS_TEXT = COLUMNS.map((name) => `${name}::text`).join(', ');

describe('COPY text from a real PostgreSQL', () => {
  it('decodes to exactly the selected values and encodes back to PostgreSQL’s bytes', async () => {
    const out = await psql('copy (select * from t order by id) to stdout');
    const lines = out.split('\n');
    expect(lines.pop()).toBe('');
    // order by t.id, not id: the output column `id` is id::text and would sort as text
    const rows = await select(`select ${AS_TEXT} from t order by t.id`);
    expect(lines.length).toBe(rows.length);
    expect(rows.length).toBe(TRICKY.length + 1500);
    for (let k = 0; k < rows.length; k++) {
      const values = COLUMNS.map((name) => rows[k]![name] as string | null);
      expect(decodeRow(lines[k]!)).toEqual(values);
      expect(encodeRow(values)).toBe(lines[k]);
    }
  });

  it('decodes the escape forms PostgreSQL accepts on input as PostgreSQL does', async () => {
    const raws = [
      '\\101\\102\\103',
      '\\1018',
      '\\7x',
      '\\x41\\x4a',
      '\\x4g',
      '\\xg',
      '\\303\\251t\\303\\251',
      '\\xe6\\x96\\x87',
      '\\xf0\\x9f\\x98\\x80',
      // (no `\.` here: PostgreSQL before 18 reads a backslash-dot anywhere as the end-of-copy marker)
      '\\q\\"\\,',
      '\\\\N',
      '\\N',
      'a\\\tb',
      '\\b\\f\\n\\r\\t\\v\\\\',
      '',
    ];
    await c.query(DB, 'create table escapes (id int, v text)');
    await psql('copy escapes from stdin', `${raws.map((r, i) => `${i}\t${r}`).join('\n')}\n\\.\n`);
    const rows = await select('select v from escapes order by id');
    expect(rows.map((r) => r.v)).toEqual(raws.map(decodeField));
  });
});

describe('a masked COPY stream loaded into PostgreSQL', () => {
  const rules: [string, RuleSpec, string][] = [
    ['v', { transform: 'token' }, 'text'],
    ['ci', { transform: 'token' }, 'citext'],
    ['j', { transform: 'json_path', options: { paths: ['$.email', '$.nested.list[*]'] } }, 'jsonb'],
    ['n', { transform: 'number_noise' }, 'numeric(14,4)'],
    ['i', { transform: 'number_noise' }, 'integer'],
    ['d', { transform: 'date_shift' }, 'date'],
    ['tz', { transform: 'date_shift' }, 'timestamp with time zone'],
    ['u', { transform: 'token' }, 'uuid'],
    ['f', { transform: 'number_noise' }, 'double precision'],
  ];

  async function maskInto(table: string, plan: Map<number, MaskRule>, sampler?: LeakSampler): Promise<void> {
    const copy = await psql('copy (select * from t order by id) to stdout');
    const stream = maskCopyStream({ table: 'public.t', columns: COLUMNS, rules: plan }, { sampler });
    const out: Buffer[] = [];
    stream.on('data', (b: Buffer) => out.push(b));
    const done = new Promise<void>((resolve, reject) => stream.on('end', resolve).on('error', reject));
    const bytes = Buffer.from(copy, 'utf8');
    for (let i = 0; i < bytes.length; i += 1000) stream.write(bytes.subarray(i, i + 1000));
    stream.end();
    await done;
    await c.query(DB, `create table ${table} (like t including all)`);
    await psql(`copy ${table} from stdin`, Buffer.concat(out).toString('utf8'));
  }

  it('masks every rule’s column, leaves the others identical, and PostgreSQL accepts every value', async () => {
    const plan = new Map<number, MaskRule>();
    for (const [name, rule, type] of rules)
      plan.set(COLUMNS.indexOf(name), createTransformer(rule, KEY, col(type, { name })));
    await maskInto('masked', plan);

    const unmasked = COLUMNS.filter((name) => !rules.some(([r]) => r === name));
    const [same] = await select(
      `select count(*)::int as n from t join masked m using (id) where ${unmasked.map((x) => `t.${x}::text is not distinct from m.${x}::text`).join(' and ')}`,
    );
    expect(same!.n).toBe(TRICKY.length + 1500);

    const [changed] = await select(
      `select count(*)::int as total,
         count(*) filter (where t.v is not null and t.v is not distinct from m.v)::int as v_same,
         count(*) filter (where t.d is not null and t.d = m.d)::int as d_same,
         count(*) filter (where t.u = m.u)::int as u_same,
         count(*) filter (where (t.v is null) <> (m.v is null))::int as nulls_moved
       from t join masked m using (id)`,
    );
    expect(changed).toEqual({ total: TRICKY.length + 1500, v_same: 0, d_same: 0, u_same: 0, nulls_moved: 0 });

    // tokens are computed from the exact original: check them row by row
    const token = createTransformer({ transform: 'token' }, KEY, col('text'));
    const pairs = await select('select t.v as original, m.v as masked from t join masked m using (id)');
    for (const p of pairs) expect(p.masked).toBe(token(p.original as string | null));

    // citext: values equal under citext mask to the same token, so joins on them survive
    const [ci] = await select(
      `select count(*)::int as rows, count(distinct m.ci::text)::int as tokens from t join masked m using (id) where t.ci = 'bob@example.com'`,
    );
    expect(ci).toEqual({ rows: 2, tokens: 1 });

    // json_path: the masked field changed, the untouched ones kept (1.10 stays 1.10)
    const [doc] = await select(
      `select m.j->>'email' as email, (m.j->'n')::text as n, t.j->>'email' as orig from t join masked m using (id) where t.id = 25`,
    );
    expect(doc).toEqual({ email: token('Bob@Example.com'), n: '1.10', orig: 'Bob@Example.com' });
  });

  it('the leak query finds nothing after a token rule and catches an identity-like rule', async () => {
    await c.query(DB, 'create schema "Sales Dept"');
    const vIndex = COLUMNS.indexOf('v');

    const good = new LeakSampler({ seed: 1 });
    await maskInto(
      '"Sales Dept"."Order"',
      new Map([[vIndex, createTransformer({ transform: 'token' }, KEY, col('text'))]]),
      good,
    );
    const q1 = leakCheckQuery('"Sales Dept"."Order"', 'v', good.sample(vIndex));
    expect(good.sample(vIndex).length).toBeGreaterThan(900);
    expect(await select(q1.text, q1.values)).toEqual([{ hits: 0 }]);

    // a regex that never matches leaves every value as it was: the check must see them
    const bad = new LeakSampler({ seed: 1 });
    const identity = createTransformer(
      { transform: 'regex_replace', options: { pattern: 'NEVER-MATCHES-\\u0000' } },
      undefined,
      col('text'),
    );
    await maskInto('"Sales Dept"."Leaky"', new Map([[vIndex, identity]]), bad);
    const q2 = leakCheckQuery('"Sales Dept"."Leaky"', 'v', bad.sample(vIndex));
    const [{ hits }] = (await select(q2.text, q2.values)) as [{ hits: number }];
    expect(hits).toBe(new Set(bad.sample(vIndex)).size);
  });
});

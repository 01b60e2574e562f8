// The restore's schema comparison beyond tables and columns (src/restore/assess/schema-diff.ts):
// the backup's recorded snapshot against the destination's, from diffSchemas. A table of
// hand-made documents: objects of a table added or removed go with the table (its owned
// sequence too), columns changed only in type or nullability are the columns list's, a table
// scope limits the objects to its tables, schema.ignore leaves objects out, and no destination
// document (or no backup snapshot) falls back to tables and columns.
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/backup/manifest.js';
import type { DestinationState } from '../../src/restore/assess/facts.js';
import { schemaDiff } from '../../src/restore/assess/schema-diff.js';
import type { SchemaDocument, SchemaObject } from '../../src/schema/document.js';

const o = (kind: SchemaObject['kind'], name: string, definition: Record<string, unknown>, table?: string) => ({
  [`${kind} ${name}`]: { kind, name, definition, ...(table ? { table } : {}) },
});
const doc = (...parts: Array<Record<string, SchemaObject>>): SchemaDocument => ({
  format: 1,
  serverVersion: 150000,
  objects: Object.assign({}, ...parts) as Record<string, SchemaObject>,
});

const T = 'public.t';
const BASE = [
  o('table', T, {}),
  o('column', `${T}.id`, { type: 'integer', notNull: true }, T),
  o('column', `${T}.name`, { type: 'text' }, T),
  o('constraint', `${T}.t_pkey`, { definition: 'PRIMARY KEY (id)' }, T),
  o('table', 'public.u', {}),
  o('column', 'public.u.id', { type: 'integer' }, 'public.u'),
];
const TABLES = [
  { schema: 'public', name: 't', rows: 1 },
  { schema: 'public', name: 'u', rows: 1 },
];
const COLUMNS = [
  {
    schema: 'public',
    name: 't',
    columns: [
      { name: 'id', type: 'integer', notNull: true },
      { name: 'name', type: 'text', notNull: false },
    ],
  },
  { schema: 'public', name: 'u', columns: [{ name: 'id', type: 'integer', notNull: false }] },
];

function destination(document: SchemaDocument | undefined, tables = COLUMNS): DestinationState {
  return {
    reachable: true,
    serverVersionNum: 150000,
    availableExtensions: [],
    exists: true,
    sessions: [],
    tables: tables.map((t) => ({ ...t, rows: 1, estimated: false })),
    writes: [],
    statsResetAt: null,
    foreignKeysOutside: [],
    ...(document ? { schemaDocument: document } : {}),
  } as DestinationState;
}

const manifest = (snapshot: SchemaDocument | undefined) =>
  ({ tables: TABLES, schema: COLUMNS, ...(snapshot ? { schemaSnapshot: snapshot } : {}) }) as unknown as Pick<
    Manifest,
    'tables' | 'schema' | 'schemaSnapshot'
  >;

const CASES: Array<
  [
    string,
    { backup?: SchemaDocument; dest?: SchemaDocument; scope?: string[]; ignore?: string[] },
    string[] | undefined,
    string,
  ]
> = [
  ['the same schema', { backup: doc(...BASE), dest: doc(...BASE) }, undefined, 'the same schema'],
  [
    'an index only in the destination, a default only in the backup',
    {
      backup: doc(...BASE, o('column', `${T}.name`, { type: 'text', default: "'x'::text" }, T)),
      dest: doc(...BASE, o('index', 'public.t_name_idx', { definition: 'CREATE INDEX …' }, T)),
    },
    ['changed column public.t.name (default)', 'removed index public.t_name_idx'],
    'column public.t.name changed (default); index public.t_name_idx removed',
  ],
  [
    'a type change is the columns list’s, not an object',
    { backup: doc(...BASE), dest: doc(...BASE, o('column', `${T}.name`, { type: 'varchar(5)' }, T)) },
    undefined,
    'the same schema',
  ],
  [
    'a table only in the destination takes its constraint and owned sequence with it',
    {
      backup: doc(...BASE),
      dest: doc(
        ...BASE,
        o('table', 'public.extra', {}),
        o('constraint', 'public.extra.extra_pkey', { definition: 'PRIMARY KEY (id)' }, 'public.extra'),
        o('sequence', 'public.extra_id_seq', { ownedBy: 'public.extra.id' }),
        o('function', 'public.f()', { definition: 'x' }),
      ),
    },
    ['removed function public.f()'],
    'function public.f() removed',
  ],
  [
    'a table scope keeps its tables’ objects only',
    {
      backup: doc(...BASE, o('trigger', 'public.u.trg', { definition: 'x' }, 'public.u')),
      dest: doc(...BASE, o('index', 'public.t_name_idx', { definition: 'x' }, T), o('function', 'public.f()', {})),
      scope: ['u'],
    },
    ['added trigger public.u.trg'],
    'trigger public.u.trg added',
  ],
  [
    'schema.ignore leaves objects out',
    {
      backup: doc(...BASE),
      dest: doc(...BASE, o('index', 'public.tmp_idx', { definition: 'x' }, T)),
      ignore: ['public.tmp_*'],
    },
    undefined,
    'the same schema',
  ],
  [
    'a backup without a snapshot: tables and columns only, said in the note',
    { dest: doc(...BASE) },
    undefined,
    'the same tables and columns (this backup recorded no schema snapshot (taken before Lifeboat recorded one): only tables and columns are compared)',
  ],
  [
    'no destination document: tables and columns only, said in the note',
    { backup: doc(...BASE) },
    undefined,
    "the same tables and columns (the destination's schema could not be read in full: only tables and columns are compared)",
  ],
];

describe('schemaDiff objects', () => {
  for (const [what, c, objects, note] of CASES) {
    it(what, () => {
      const scope = c.scope ? TABLES.filter((t) => c.scope!.includes(t.name)) : null;
      const d = schemaDiff(manifest(c.backup), scope, destination(c.dest), c.ignore ?? []);
      expect(
        d.objects?.map((x) => `${x.change} ${x.kind} ${x.name}${x.fields ? ` (${x.fields.join(', ')})` : ''}`),
      ).toEqual(objects);
      expect(d.note).toBe(note);
    });
  }
});

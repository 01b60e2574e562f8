// The SQL script splitter (src/schema/sql-statements.ts): a table of scripts and the statements,
// lines and meta-commands psql would see in them.
import { describe, expect, it } from 'vitest';
import { lineAt, splitSqlScript } from '../../src/schema/sql-statements.js';

const st = (sql: string, line: number) => ({ kind: 'statement', sql, line });

const CASES: Array<[string, string, unknown[]]> = [
  [
    'two statements',
    'create table a (x int);\ncreate table b (y int);',
    [st('create table a (x int);', 1), st('create table b (y int);', 2)],
  ],
  ['a last statement without a semicolon', 'select 1;\n\nselect 2', [st('select 1;', 1), st('select 2', 3)]],
  ['a semicolon in a string', "insert into t values ('a;b');", [st("insert into t values ('a;b');", 1)]],
  ['a doubled quote in a string', "select 'it''s; here';", [st("select 'it''s; here';", 1)]],
  ['an escape string', "select E'a\\';b';", [st("select E'a\\';b';", 1)]],
  ['a quoted identifier', 'create table "x;y" ("a""b;" int);', [st('create table "x;y" ("a""b;" int);', 1)]],
  [
    'a dollar-quoted body',
    'create function f() returns int language plpgsql as $$ begin return 1; end $$;\nselect 1;',
    [st('create function f() returns int language plpgsql as $$ begin return 1; end $$;', 1), st('select 1;', 2)],
  ],
  ['a tagged dollar quote', 'select $x$ ; $$ ; $x$;', [st('select $x$ ; $$ ; $x$;', 1)]],
  [
    'a parameter is not a dollar quote',
    'prepare p as select $1;select 2;',
    [st('prepare p as select $1;', 1), st('select 2;', 1)],
  ],
  ['line comments', '-- a; b\nselect 1; -- c;\n', [st('select 1;', 2)]],
  ['nested block comments', '/* a /* b; */ c; */ select 1;', [st('select 1;', 1)]],
  [
    'a BEGIN ATOMIC body',
    'create function f() returns int language sql\nbegin atomic\n  select 1;\n  select case when true then 2 end;\nend;\nselect 3;',
    [
      st(
        'create function f() returns int language sql\nbegin atomic\n  select 1;\n  select case when true then 2 end;\nend;',
        1,
      ),
      st('select 3;', 6),
    ],
  ],
  [
    'BEGIN as a transaction',
    'begin;\ncreate table t (x int);\ncommit;',
    [st('begin;', 1), st('create table t (x int);', 2), st('commit;', 3)],
  ],
  [
    'psql meta-commands',
    '\\restrict abc\nselect 1;\n\\! rm -rf /\n',
    [
      { kind: 'meta', command: '\\restrict abc', line: 1 },
      st('select 1;', 2),
      { kind: 'meta', command: '\\! rm -rf /', line: 3 },
    ],
  ],
  ['only comments', '-- nothing\n/* here */\n', []],
  ['a unicode identifier', 'create table "Ünïcode" (é int);', [st('create table "Ünïcode" (é int);', 1)]],
  ['JSON is one statement', '{\n  "format": 1\n}\n', [st('{\n  "format": 1\n}', 1)]],
];

describe('splitSqlScript', () => {
  for (const [what, script, expected] of CASES) {
    it(`splits ${what}`, () => {
      expect(splitSqlScript(script)).toEqual(expected);
    });
  }

  it('gives the line of a position inside a statement', () => {
    const [s] = splitSqlScript('\n\ncreate table t (\n  x int,\n  y nosuchtype\n);');
    expect(s).toMatchObject({ line: 3 });
    const sql = (s as { sql: string }).sql;
    expect(lineAt(s as { sql: string; line: number }, sql.indexOf('nosuchtype') + 1)).toBe(5);
  });
});

// Steps for a masked restore. The archive's data never reaches the staging database unmasked:
//   pre-data (schema) → plan: resolve every rule to a column of the backup — at its position in
//   pg_dump's COPY statement — and prove its output fits (type, length, NOT NULL, UNIQUE), before
//   any row is written → data: masked tables are fed to pg_restore through the masking stream
//   (feed-archive.ts) → post-data → leak check: sampled originals of each masked column must not
//   appear in the restored table.
import { symlink, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type pg from 'pg';
import type { TableCount } from '../../backup/manifest.js';
import type { DatabaseConfig, MaskingRule } from '../../catalog/types.js';
import { pgBin } from '../../engines/postgres/binaries.js';
import { pgRestoreList } from '../../engines/postgres/dump.js';
import { tableAncestry } from '../../engines/postgres/inheritance.js';
import { LifeboatError } from '../../errors.js';
import { run, tail } from '../../lib/process.js';
import type { Secret } from '../../lib/secret.js';
import { type ColumnInfo, columnLabel } from '../../masking/column.js';
import type { MaskRule } from '../../masking/copy-stream.js';
import type { ThreadPlan } from '../../masking/parallel.js';
import { checkRuleFits } from '../../masking/fit.js';
import { LeakSampler, leakCheckApplies, leakCheckQuery, leakError, tableLabel } from '../../masking/leak-check.js';
import { rulesByTable, type TableAncestry, type TableRef } from '../../masking/rule-tables.js';
import { createTransformer } from '../../masking/transformers/index.js';
import type { RunTracker } from '../progress.js';

/** A table's data file and the column list of pg_dump's COPY statement for it (unquoted, in order). */
export interface CopyTarget {
  table: TableCount & { file: string };
  columns: string[];
}

export interface MaskedTable {
  table: TableCount;
  /** The table's columns in COPY order. */
  columns: ColumnInfo[];
  rules: Array<{
    index: number;
    rule: MaskingRule;
    column: ColumnInfo;
    fn: MaskRule;
    /** The partitioned table or inheritance parent the rule names, when it is inherited. */
    via?: TableRef;
  }>;
  sampler: LeakSampler;
  /** The masking key, for threads that rebuild the rules (see threadPlan). */
  key: Secret | undefined;
  threads: 'auto' | number;
}

/** The table's plan as plain data, for masking threads. */
export function threadPlan(m: MaskedTable): ThreadPlan {
  return {
    table: `${m.table.schema}.${m.table.name}`,
    columns: m.columns.map((c) => c.name),
    rules: m.rules.map((r) => ({
      index: r.index,
      rule: { transform: r.rule.transform, options: r.rule.options },
      column: r.column,
    })),
    key: m.key === undefined ? undefined : { value: m.key.reveal(), source: m.key.source },
  };
}

/**
 * The COPY statement's columns of every table data file, as pg_restore itself
 * prints them: pg_restore runs on a shadow of the archive (its toc.dat, and in place of each data
 * file a one-line marker naming the file), so its output is each statement followed by its marker,
 * read in milliseconds whatever the archive's size.
 */
export async function archiveCopyStatements(
  dir: string,
  shadow: string,
  tables: readonly TableCount[],
  signal?: AbortSignal,
): Promise<CopyTarget[]> {
  const withData = tables.filter((t): t is TableCount & { file: string } => Boolean(t.file));
  await mkdir(shadow, { recursive: true });
  await symlink(join(dir, 'toc.dat'), join(shadow, 'toc.dat'));
  for (const t of withData) {
    const marker = Buffer.from(`lifeboat-file ${t.file}\n`);
    await writeFile(join(shadow, t.file), t.file.endsWith('.gz') ? gzipSync(marker) : marker);
  }
  const ids = new Set(withData.map((t) => dumpIdOf(t.file)));
  const list = (await pgRestoreList(dir, signal)).split('\n').filter((l) => {
    const m = /^(\d+); \d+ \d+ TABLE DATA /.exec(l);
    return m && ids.has(m[1]!);
  });
  await writeFile(join(shadow, 'data.list'), `${list.join('\n')}\n`);
  const r = await run(pgBin('pg_restore'), ['--data-only', '-L', join(shadow, 'data.list'), '-f', '-', shadow], {
    signal,
  });
  if (r.code !== 0) {
    throw new LifeboatError('engine_failed', `pg_restore could not read the archive: ${tail(r.stderr, 2)}`, {
      hint: "the archive's table of contents is unreadable: the backup is corrupt",
    });
  }
  const statements = new Map<string, string>();
  const lines = r.stdout.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const m = /^lifeboat-file (.+)$/.exec(lines[i]!);
    if (m && /^COPY .* FROM stdin;$/.test(lines[i - 1]!)) statements.set(m[1]!, lines[i - 1]!);
  }
  return withData.map((table) => {
    const statement = statements.get(table.file);
    if (!statement) {
      throw new LifeboatError(
        'engine_failed',
        `the archive has no COPY statement for ${table.schema}.${table.name} (${table.file})`,
        { hint: 'the manifest and the archive disagree: the backup is corrupt' },
      );
    }
    return { table, columns: copyColumns(statement) };
  });
}

const dumpIdOf = (file: string) => file.replace(/\.dat(\.gz)?$/, '');

/** The column names of a `COPY schema.table (a, "B c") FROM stdin;` statement, unquoted, in order. */
export function copyColumns(statement: string): string[] {
  let i = 'COPY '.length;
  const ident = (): string => {
    if (statement[i] !== '"') {
      const start = i;
      while (i < statement.length && !' .,()'.includes(statement[i]!)) i++;
      return statement.slice(start, i);
    }
    let name = '';
    i++;
    for (;;) {
      const q = statement.indexOf('"', i);
      if (q < 0) throw new LifeboatError('engine_failed', `unreadable COPY statement in the archive: ${statement}`);
      name += statement.slice(i, q);
      i = q + 1;
      if (statement[i] !== '"') return name;
      name += '"';
      i++;
    }
  };
  ident(); // schema
  if (statement[i] === '.') {
    i++;
    ident(); // table
  }
  const out: string[] = [];
  if (!statement.startsWith(' (', i)) return out; // a table without columns
  i += 2;
  while (i < statement.length && statement[i] !== ')') {
    out.push(ident());
    if (statement.startsWith(', ', i)) i += 2;
  }
  return out;
}

/** The columns of a table as the staging schema has them: type, length, NOT NULL, single-column UNIQUE. */
export async function columnsOf(c: pg.ClientBase, schema: string, table: string, label: string): Promise<ColumnInfo[]> {
  const r = await c.query<{ name: string; type: string; typmod: number; notnull: boolean; is_unique: boolean }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.atttypmod as typmod, a.attnotnull as notnull,
            exists (select 1 from pg_index i where i.indrelid = a.attrelid and i.indisunique and i.indnkeyatts = 1
                     and i.indkey[0] = a.attnum) as is_unique
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
      order by a.attnum`,
    [schema, table],
  );
  return r.rows.map((x) => {
    const m = /^(?:character varying|character)\((\d+)\)$/.exec(x.type);
    return {
      table: label,
      name: x.name,
      type: x.type,
      maxLength: m ? Number(m[1]) : null,
      nullable: !x.notnull,
      unique: x.is_unique,
    };
  });
}

/**
 * For a table-scoped restore, which copies rows into tables the destination already has: only
 * the scope's tables are masked, their columns (types, lengths, constraints) are the
 * destination's, and what descends from what is the backup's record merged with the
 * destination's (a rule on a parent applies when either says the table is below it).
 */
export interface IntoExistingTables {
  scope: readonly TableCount[];
  /** The backup's record of partitions and inheritance children (manifest.inheritance). */
  ancestry: readonly TableAncestry[];
}

/** Both records of ancestry, one entry per table, its ancestors from either (the first's first). */
export function mergeAncestry(a: readonly TableAncestry[], b: readonly TableAncestry[]): TableAncestry[] {
  const key = (t: TableRef) => `${t.schema}\0${t.name}`;
  const out = new Map<string, TableAncestry>();
  for (const t of [...a, ...b]) {
    const held = out.get(key(t));
    const ancestors = [...(held?.ancestors ?? [])];
    for (const x of t.ancestors) if (!ancestors.some((y) => key(y) === key(x))) ancestors.push(x);
    out.set(key(t), { schema: t.schema, name: t.name, ancestors });
  }
  return [...out.values()];
}

/**
 * Resolves the masking rules against the backup's tables and the staging schema (pre-data), and
 * checks that each rule's output fits its column. Fails naming the rule and the column, before
 * any row is written. Column positions are those of pg_dump's COPY statement, not the staging
 * table's (they differ for an inheritance child whose parent gained a column). A rule on a
 * partitioned table or an inheritance parent applies to every table below it (rule-tables.ts);
 * which tables those are is read from the staging schema, which pre-data made from this very
 * archive, so it holds for backups of every Lifeboat version. With `into` (a table-scoped
 * restore), `c` is the destination: see IntoExistingTables.
 */
export async function planMasking(
  c: pg.ClientBase,
  database: DatabaseConfig,
  tables: readonly TableCount[],
  targets: readonly CopyTarget[],
  uniqueColumns: ReadonlySet<string>,
  into?: IntoExistingTables,
): Promise<MaskedTable[]> {
  const ancestry = mergeAncestry(into?.ancestry ?? [], await tableAncestry(c));
  const found = rulesByTable(database.masking.rules, tables, ancestry);
  const { unmatched } = found;
  const applied = into ? [...found.applied].filter(([t]) => into.scope.includes(t)) : found.applied;
  const stray = unmatched[0];
  if (stray) {
    throw new LifeboatError(
      'config_invalid',
      `masking rule ${stray.table}.${stray.column} names a table the backup does not have`,
      {
        hint: `tables in the backup: ${tables.map((t) => `${t.schema}.${t.name}`).join(', ')}`,
      },
    );
  }
  const out: MaskedTable[] = [];
  for (const [table, rules] of applied) {
    // messages name the table as its own rule does, and a partition or child by its own name
    const label = rules.find((r) => r.via === undefined)?.rule.table ?? tableLabel(table.schema, table.name);
    const info = (await columnsOf(c, table.schema, table.name, label)).map((col) => ({
      ...col,
      unique: col.unique || uniqueColumns.has(`${table.schema}.${table.name}.${col.name}`),
    }));
    const copyOrder = targets.find((t) => t.table === table)?.columns;
    const columns = copyOrder
      ? copyOrder.map((name) => {
          const col = info.find((x) => x.name === name);
          if (!col) {
            throw into
              ? new LifeboatError(
                  'blocked_by_check',
                  `${label}: the backup's data has a column ${name} that the destination's table lacks`,
                  {
                    hint: "the destination's table must have the backup's columns: restore the whole database, or bring its schema up to date first; nothing was written",
                  },
                )
              : new LifeboatError(
                  'engine_failed',
                  `${label}: the archive's data has a column ${name} that the restored table lacks`,
                  { hint: 'the backup is inconsistent; take a new one' },
                );
          }
          return col;
        })
      : info;
    const entry: MaskedTable = {
      table,
      columns,
      rules: [],
      sampler: new LeakSampler(),
      key: database.masking.key,
      threads: database.masking.threads,
    };
    for (const { rule, via } of rules) {
      const index = entry.columns.findIndex((col) => col.name === rule.column);
      if (index < 0) {
        throw new LifeboatError(
          'config_invalid',
          `masking rule ${rule.table}.${rule.column}: the backup's table ${via ? `${label} (below ${rule.table}) ` : ''}has no column ${rule.column}`,
          {
            hint: `columns of ${label}: ${entry.columns.map((col) => col.name).join(', ')}`,
          },
        );
      }
      const column = entry.columns[index]!;
      const fit = checkRuleFits(rule, column);
      if (!fit.ok)
        throw new LifeboatError('blocked_by_check', fit.reason, {
          hint: 'change the rule in lifeboat.yaml; nothing was written',
        });
      const t = createTransformer(rule, database.masking.key, column);
      entry.rules.push({ index, rule, column, fn: t, ...(via ? { via } : {}) });
    }
    out.push(entry);
  }
  return out;
}

/**
 * Single-column UNIQUE constraints and unique indexes of the archive, as schema.table.column.
 * They are created in post-data, after the data, so they are read from the archive's DDL
 * (`pg_restore --section=post-data -f -` prints it without touching any database).
 */
export async function archiveUniqueColumns(dir: string): Promise<Set<string>> {
  const r = await run(pgBin('pg_restore'), ['--section=post-data', '-f', '-', dir]);
  const un = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);
  const out = new Set<string>();
  const patterns = [
    /ALTER TABLE ONLY ("[^"]+(?:""[^"]*)*"|[^.\s]+)\.("[^"]+(?:""[^"]*)*"|\S+)\s+ADD CONSTRAINT \S+ (?:UNIQUE|PRIMARY KEY) \(([^,)]+)\);/g,
    /CREATE UNIQUE INDEX \S+ ON ("[^"]+(?:""[^"]*)*"|[^.\s]+)\.("[^"]+(?:""[^"]*)*"|\S+) USING \w+ \(([^,)]+)\);/g,
  ];
  for (const re of patterns) {
    for (const m of r.stdout.matchAll(re)) out.add(`${un(m[1]!)}.${un(m[2]!)}.${un(m[3]!.trim())}`);
  }
  return out;
}

/**
 * pg_dump's data files end with a `\.` line (and blank lines); COPY over the protocol needs
 * neither. The marker is a line of its own: at the very start (an empty table) or after a newline
 * — never the tail of a row that ends in an escaped backslash and a dot.
 */
export function untilEndMarker(): Transform {
  let done = false;
  let first = true;
  let carry = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      if (done) return cb();
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      if (first && buf.length < 3) {
        carry = Buffer.from(buf);
        return cb();
      }
      if (first && buf[0] === 0x5c && buf[1] === 0x2e && buf[2] === 0x0a) {
        done = true; // an empty table
        return cb();
      }
      first = false;
      const at = buf.indexOf('\n\\.\n');
      if (at >= 0) {
        done = true;
        return cb(null, buf.subarray(0, at + 1));
      }
      // keep the last 3 bytes: a marker may straddle chunks
      const keep = Math.min(3, buf.length);
      carry = Buffer.from(buf.subarray(buf.length - keep));
      cb(null, buf.subarray(0, buf.length - keep));
    },
    flush(cb) {
      if (first && carry[0] === 0x5c && carry[1] === 0x2e) return cb();
      cb(null, done ? undefined : carry);
    },
  });
}

/** What a masked restore logs of its plan: each masked table, its columns and their transforms. */
export function maskingSummary(masked: readonly MaskedTable[]): string {
  return `masking ${masked.map((m) => `${m.table.schema}.${m.table.name} (${m.rules.map((r) => `${r.column.name}: ${r.rule.transform}${r.via ? ` from ${tableLabel(r.via.schema, r.via.name)}` : ''}`).join(', ')})`).join('; ')}`;
}

/** The masked columns the leak check looks at (their transform is checked, originals were sampled). */
export function leakCheckedColumns(
  masked: readonly MaskedTable[],
): Array<{ m: MaskedTable; r: MaskedTable['rules'][number]; samples: readonly string[] }> {
  return masked.flatMap((m) =>
    m.rules
      .filter((r) => leakCheckApplies(r.rule.transform))
      .map((r) => ({ m, r, samples: m.sampler.sample(r.index) }))
      .filter(({ samples }) => samples.length > 0),
  );
}

/** After loading: no sampled original of a masked column may appear in the restored table. */
export async function leakCheck(c: pg.ClientBase, masked: readonly MaskedTable[], tracker: RunTracker): Promise<void> {
  for (const { m, r, samples } of leakCheckedColumns(masked)) {
    const q = leakCheckQuery({ schema: m.table.schema, name: m.table.name }, r.column.name, samples);
    const res = await c.query<{ hits: string }>(q.text, q.values);
    const hits = Number(res.rows[0]?.hits ?? 0);
    if (hits > 0) throw leakError(columnLabel(r.column), r.rule.transform, hits, samples.length);
    tracker.log(`leak check ${columnLabel(r.column)}: 0 of ${samples.length} sampled originals found`);
  }
}

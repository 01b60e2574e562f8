// Steps for a masked restore. The archive's data never reaches the staging database unmasked:
//   pre-data (schema) → plan: resolve every rule to a column of the backup and prove its output
//   fits (type, length, NOT NULL, UNIQUE) — before any row is written → data: masked tables are
//   streamed file → mask → COPY FROM STDIN, while pg_restore loads the other tables' data in
//   parallel → post-data (indexes, constraints) → leak check: sampled originals of each masked
//   column must not appear in the restored table.
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TableCount } from '../../backup/manifest.js';
import type { DatabaseConfig, MaskingRule } from '../../catalog/types.js';
import { withClient } from '../../engines/postgres/admin.js';
import { pgBin } from '../../engines/postgres/binaries.js';
import { pgRestoreList } from '../../engines/postgres/dump.js';
import { LifeboatError } from '../../errors.js';
import { run } from '../../lib/process.js';
import type { Secret } from '../../lib/secret.js';
import type { ColumnInfo } from '../../masking/column.js';
import { maskCopyStream, type MaskRule } from '../../masking/copy-stream.js';
import { checkRuleFits } from '../../masking/fit.js';
import {
  LeakSampler,
  leakCheckApplies,
  leakCheckQuery,
  leakError,
  parseQualifiedName,
  quoteIdent,
} from '../../masking/leak-check.js';
import { createTransformer } from '../../masking/transformers/index.js';
import type { RunTracker } from '../progress.js';

export interface MaskedTable {
  table: TableCount;
  columns: ColumnInfo[];
  rules: Array<{ index: number; rule: MaskingRule; column: ColumnInfo; fn: MaskRule }>;
  sampler: LeakSampler;
}

/** The columns of a table in COPY order (what pg_dump wrote): not dropped, not generated. */
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
 * Resolves the masking rules against the backup's tables and the staging schema (pre-data), and
 * checks that each rule's output fits its column. Fails naming the rule and the column, before
 * any row is written.
 */
export async function planMasking(
  c: pg.ClientBase,
  database: DatabaseConfig,
  tables: readonly TableCount[],
  uniqueColumns: ReadonlySet<string>,
): Promise<MaskedTable[]> {
  const byTable = new Map<TableCount, MaskedTable>();
  for (const rule of database.masking.rules) {
    const q = parseQualifiedName(rule.table);
    const table = tables.find((t) => t.name === q.name && t.schema === (q.schema ?? 'public'));
    if (!table) {
      throw new LifeboatError(
        'config_invalid',
        `masking rule ${rule.table}.${rule.column} names a table the backup does not have`,
        {
          hint: `tables in the backup: ${tables.map((t) => `${t.schema}.${t.name}`).join(', ')}`,
        },
      );
    }
    let entry = byTable.get(table);
    if (!entry) {
      const columns = (await columnsOf(c, table.schema, table.name, rule.table)).map((col) => ({
        ...col,
        unique: col.unique || uniqueColumns.has(`${table.schema}.${table.name}.${col.name}`),
      }));
      entry = { table, columns, rules: [], sampler: new LeakSampler() };
      byTable.set(table, entry);
    }
    const index = entry.columns.findIndex((col) => col.name === rule.column);
    if (index < 0) {
      throw new LifeboatError(
        'config_invalid',
        `masking rule ${rule.table}.${rule.column}: the backup's table has no column ${rule.column}`,
        {
          hint: `columns of ${rule.table}: ${entry.columns.map((col) => col.name).join(', ')}`,
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
    entry.rules.push({ index, rule, column, fn: (v) => t(v) });
  }
  return [...byTable.values()];
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

/** Writes the list file that makes pg_restore skip the masked tables' data. */
export async function unmaskedDataList(dir: string, masked: readonly MaskedTable[]): Promise<string> {
  const skip = new Set(masked.map((m) => m.table.file?.replace(/\.dat(\.gz)?$/, '')));
  const list = (await pgRestoreList(dir)).split('\n').filter((l) => {
    const m = /^(\d+); \d+ \d+ TABLE DATA /.exec(l);
    return !(m && skip.has(m[1]!));
  });
  const file = join(dir, 'lifeboat-unmasked.list');
  await writeFile(file, `${list.join('\n')}\n`);
  return file;
}

/** Streams one masked table: archive file → mask → COPY FROM STDIN into the staging database. */
export async function loadMaskedTable(
  url: Secret,
  staging: string,
  dir: string,
  m: MaskedTable,
  tracker: RunTracker,
  signal: AbortSignal,
): Promise<void> {
  if (!m.table.file) return; // no data in the archive
  const cols = m.columns.map((c) => quoteIdent(c.name)).join(', ');
  const plan = {
    columns: m.columns.map((c) => c.name),
    rules: new Map(m.rules.map((r) => [r.index, r.fn])),
    table: `${m.table.schema}.${m.table.name}`,
  };
  await withClient(url, staging, async (c) => {
    const sink = c.query(
      copyFrom(`COPY ${quoteIdent(m.table.schema)}.${quoteIdent(m.table.name)} (${cols}) FROM STDIN`),
    );
    const streams: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = [
      createReadStream(join(dir, m.table.file!), { highWaterMark: 1 << 20 }),
      ...(m.table.file!.endsWith('.gz') ? [createGunzip()] : []),
      untilEndMarker(),
      maskCopyStream(plan, { onSample: m.sampler.add }),
      sink,
    ];
    await pipeline(streams, { signal });
  });
  tracker.p.tablesDone++;
  tracker.p.rowsDone += m.table.rows;
}

/** pg_dump's data files end with a `\.` line and blank lines; COPY over the protocol needs neither. */
function untilEndMarker(): Transform {
  let done = false;
  let carry = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      if (done) return cb();
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const at = buf[0] === 0x5c && buf[1] === 0x2e && buf[2] === 0x0a ? 0 : buf.indexOf('\n\\.\n');
      if (at >= 0) {
        done = true;
        return cb(null, buf.subarray(0, at === 0 ? 0 : at + 1));
      }
      // keep the last 3 bytes: a marker may straddle chunks
      const keep = Math.min(3, buf.length);
      carry = Buffer.from(buf.subarray(buf.length - keep));
      cb(null, buf.subarray(0, buf.length - keep));
    },
    flush(cb) {
      cb(null, done ? undefined : carry);
    },
  });
}

/** After loading: no sampled original of a masked column may appear in the restored table. */
export async function leakCheck(c: pg.ClientBase, masked: readonly MaskedTable[], tracker: RunTracker): Promise<void> {
  for (const m of masked) {
    for (const r of m.rules) {
      if (!leakCheckApplies(r.rule.transform)) continue;
      const samples = m.sampler.sample(r.index);
      if (!samples.length) continue;
      const q = leakCheckQuery({ schema: m.table.schema, name: m.table.name }, r.column.name, samples);
      const res = await c.query<{ hits: string }>(q.text, q.values);
      const hits = Number(res.rows[0]?.hits ?? 0);
      if (hits > 0) throw leakError(`${r.rule.table}.${r.column.name}`, r.rule.transform, hits, samples.length);
      tracker.log(`leak check ${r.rule.table}.${r.column.name}: 0 of ${samples.length} sampled originals found`);
    }
  }
}

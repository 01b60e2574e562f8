// What masking knows about a column of the backup: enough to pick the right output format
// (a date stays a date, an integer stays an integer) and to prove before anything is written
// that a rule's output fits the column (fit.ts). The restore engine fills it from the archive's
// schema; here it is plain data.

export interface ColumnInfo {
  /** The table as the rule names it, e.g. `public.customers` or `"Sales Dept"."Order"` (for messages). */
  readonly table: string;
  /** The column's name, unquoted. */
  readonly name: string;
  /**
   * The type as PostgreSQL's format_type prints it, with or without its modifier: `text`,
   * `character varying`, `character varying(40)`, `citext`, `date`, `timestamp with time zone`,
   * `integer`, `numeric(10,2)`, `jsonb`, `uuid`, …
   */
  readonly type: string;
  /** The n of character varying(n) / character(n); null when unbounded. */
  readonly maxLength: number | null;
  readonly nullable: boolean;
  /** Part of a single-column UNIQUE constraint or primary key. */
  readonly unique: boolean;
}

/** Kinds of column that differ in what a transform may write into them. */
export type TypeFamily =
  'text' | 'citext' | 'uuid' | 'date' | 'timestamp' | 'integer' | 'numeric' | 'float' | 'json' | 'other';

const FAMILIES: Readonly<Record<string, TypeFamily>> = {
  text: 'text',
  'character varying': 'text',
  varchar: 'text',
  character: 'text',
  char: 'text',
  bpchar: 'text',
  name: 'text',
  citext: 'citext',
  uuid: 'uuid',
  date: 'date',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamp',
  timestamptz: 'timestamp',
  smallint: 'integer',
  integer: 'integer',
  int: 'integer',
  bigint: 'integer',
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'numeric',
  decimal: 'numeric',
  real: 'float',
  'double precision': 'float',
  float4: 'float',
  float8: 'float',
  json: 'json',
  jsonb: 'json',
};

/** The type without modifier, lower case: `character varying(40)` → `character varying`. */
export function baseType(type: string): string {
  const t = type.trim().toLowerCase();
  // arrays stay arrays (`text[]` is not text); only the modifier is dropped
  const base = t.replace(/\s*\([^)]*\)/, '');
  // an extension type may be schema-qualified: public.citext
  const dot = base.lastIndexOf('.');
  return dot >= 0 && !base.includes('"') ? base.slice(dot + 1) : base.replaceAll('"', '');
}

export function typeFamily(type: string): TypeFamily {
  return FAMILIES[baseType(type)] ?? 'other';
}

/** character(n) pads with spaces, and PostgreSQL ignores trailing spaces when comparing it. */
export function isPaddedChar(type: string): boolean {
  const b = baseType(type);
  return b === 'character' || b === 'char' || b === 'bpchar';
}

/** The range of an integer type, for clamping noise; undefined for other types. */
export function integerRange(type: string): readonly [bigint, bigint] | undefined {
  switch (baseType(type)) {
    case 'smallint':
    case 'int2':
      return [-32768n, 32767n];
    case 'integer':
    case 'int':
    case 'int4':
      return [-2147483648n, 2147483647n];
    case 'bigint':
    case 'int8':
      return [-9223372036854775808n, 9223372036854775807n];
    default:
      return undefined;
  }
}

/** `public.customers.email`, the way messages name a column. */
export function columnLabel(column: Pick<ColumnInfo, 'table' | 'name'>): string {
  return `${column.table}.${column.name}`;
}

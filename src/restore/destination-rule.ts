// Which databases a restore may overwrite: the rule, pure. It is applied when a restore is
// requested (request.ts) and again by the worker right before it writes the destination
// (run-restore.ts), so a run whose destination became forbidden after it was requested (a
// changed lifeboat.yaml, a row written by hand) still never touches it.
//
// Refused, whatever the requester's rights:
// - PostgreSQL's own databases: `template1` is copied into every database created afterwards,
//   `postgres` is where Lifeboat itself connects to swap, `template0` must stay pristine;
// - Lifeboat's own names (staging databases, kept and undone copies, names.ts): overwriting one
//   would destroy the undo of another run or collide with a running restore;
// - names over 63 bytes: PostgreSQL silently truncates them, so the database written would not
//   be the one named;
// - a database the catalog declares, other than the requested one: a production rollback
//   restores a database over itself, but nothing restores over *another* catalogued database
//   (team-beta's BillingDB into prod-pg01/customer would replace team-alpha's CustomerDB);
// - the requested database itself outside production (only a rollback restores over itself).
import type { Catalog, Tier } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import { MAX_NAME_BYTES, RESERVED_MARKERS } from './names.js';

export const SYSTEM_DATABASES: readonly string[] = ['postgres', 'template0', 'template1'];

export interface CataloguedDatabase {
  /** The catalog name, e.g. `CustomerDB`. */
  readonly name: string;
  readonly server: string;
  readonly dbname: string;
  readonly owner: string;
}

export interface DestinationQuery {
  /** The catalog name of the database being restored. */
  readonly database: string;
  readonly server: string;
  readonly dbname: string;
  /** The destination server's tier. */
  readonly tier: Tier;
  readonly catalogued: readonly CataloguedDatabase[];
}

export type RefusalRule = 'system_database' | 'reserved_name' | 'name_too_long' | 'catalogued_database' | 'itself';

export interface Refusal {
  readonly rule: RefusalRule;
  readonly message: string;
  readonly hint: string;
}

/** The databases of the catalog, as the rule needs them. */
export function cataloguedDatabases(catalog: Catalog): CataloguedDatabase[] {
  return Object.values(catalog.databases).map((d) => ({
    name: d.name,
    server: d.server,
    dbname: d.dbname,
    owner: d.owner,
  }));
}

/** Why the destination may not be restored into, or null when it may. Pure. */
export function destinationRefusal(q: DestinationQuery): Refusal | null {
  const bytes = Buffer.byteLength(q.dbname);
  const at = `unable to restore ${q.database} into ${q.server}/${shown(q.dbname)}`;
  const another = `choose another database name: --to ${q.server}/<dbname>`;
  if (SYSTEM_DATABASES.includes(q.dbname)) {
    return { rule: 'system_database', message: `${at}: ${q.dbname} is a PostgreSQL system database`, hint: another };
  }
  const marker = RESERVED_MARKERS.find((m) => q.dbname.includes(m));
  if (marker !== undefined) {
    return {
      rule: 'reserved_name',
      message: `${at}: names containing "${marker}" are Lifeboat's own (staging databases and kept copies)`,
      hint: `choose a name without ${RESERVED_MARKERS.join(', ')}; to go back to a kept copy, use \`lifeboat restore undo <run>\``,
    };
  }
  if (bytes > MAX_NAME_BYTES) {
    return {
      rule: 'name_too_long',
      message: `${at}: the name is ${bytes} bytes long, and PostgreSQL would silently truncate it to ${MAX_NAME_BYTES}`,
      hint: `choose a database name of at most ${MAX_NAME_BYTES} bytes`,
    };
  }
  const other = q.catalogued.find((d) => d.server === q.server && d.dbname === q.dbname && d.name !== q.database);
  if (other !== undefined) {
    return {
      rule: 'catalogued_database',
      message: `${at}: that is ${other.name} of ${other.owner}, and a restore never overwrites another catalogued database`,
      hint: another,
    };
  }
  const itself = q.catalogued.some((d) => d.server === q.server && d.dbname === q.dbname && d.name === q.database);
  if (itself && q.tier !== 'production') {
    return {
      rule: 'itself',
      message: `${at}: that is ${q.database} itself, and only a production rollback restores a database over itself`,
      hint: another,
    };
  }
  return null;
}

/** Throws `destination_not_allowed` (403) with the refusal's message and hint. */
export function assertDestinationAllowed(q: DestinationQuery): void {
  const r = destinationRefusal(q);
  if (r !== null)
    throw new LifeboatError('destination_not_allowed', r.message, { hint: r.hint, details: { rule: r.rule } });
}

/** A name as messages show it: at most 63 bytes of it (a long one is never echoed whole). */
function shown(dbname: string): string {
  if (Buffer.byteLength(dbname) <= MAX_NAME_BYTES) return dbname;
  let out = '';
  for (const ch of dbname) {
    if (Buffer.byteLength(out + ch) > MAX_NAME_BYTES) break;
    out += ch;
  }
  return `${out}…`;
}

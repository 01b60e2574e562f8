// Table scope: which tables of a backup a run restores, resolved from what the user typed
// (`customers`, `public.orders`, `"Sales Dept"."Order"`). Pure.
import type { TableCount } from '../backup/manifest.js';
import { LifeboatError } from '../errors.js';
import { parseQualifiedName } from '../masking/leak-check.js';

export function resolveScope(requested: readonly string[], tables: readonly TableCount[]): TableCount[] {
  const out: TableCount[] = [];
  for (const ref of requested) {
    const q = parseQualifiedName(ref);
    const matches = tables.filter((t) => t.name === q.name && (q.schema === undefined ? true : t.schema === q.schema));
    const pick = matches.length > 1 && q.schema === undefined ? matches.filter((t) => t.schema === 'public') : matches;
    if (pick.length !== 1) {
      throw new LifeboatError(
        'invalid_request',
        pick.length ? `table ${ref} is ambiguous` : `the backup has no table ${ref}`,
        {
          hint: `tables in the backup: ${tables.map((t) => `${t.schema}.${t.name}`).join(', ')}`,
        },
      );
    }
    if (!out.includes(pick[0]!)) out.push(pick[0]!);
  }
  return out;
}

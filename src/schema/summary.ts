// A schema diff as people read it: grouped by table (its columns, constraints, indexes, triggers
// and policies under it), then every other object, one line each, with what changed.
//   public.customers
//     + column public.customers.nickname  text
//     ~ index public.customers_email_idx
//         definition: CREATE INDEX … (email) → CREATE INDEX … (lower(email))
import { groupOf, type SchemaChange } from './diff.js';

const MARK = { added: '+', removed: '-', changed: '~' } as const;

export function diffSummary(changes: readonly SchemaChange[]): string {
  if (changes.length === 0) return 'no differences';
  const lines: string[] = [];
  let group: string | undefined;
  for (const c of changes) {
    const g = groupOf(c);
    const child = c.table !== undefined;
    if (child && g !== group) lines.push(g);
    group = g;
    const indent = child ? '  ' : '';
    lines.push(`${indent}${MARK[c.change]} ${c.kind.replace('_', ' ')} ${c.name}${brief(c)}`);
    for (const f of c.fields ?? []) lines.push(`${indent}    ${f.field}: ${show(f.before)} → ${show(f.after)}`);
  }
  const count = (t: SchemaChange['change']) => changes.filter((c) => c.change === t).length;
  lines.push(
    `${changes.length} difference(s): ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed`,
  );
  return lines.join('\n');
}

/** What an added or removed object is, in a few words (a column's type, an index's definition). */
function brief(c: SchemaChange): string {
  const d = c.definition;
  if (!d) return '';
  if (c.kind === 'column' && typeof d.type === 'string') return `  ${d.type}${d.notNull === true ? ' not null' : ''}`;
  if (typeof d.definition === 'string' && !d.definition.includes('\n')) return `  ${d.definition}`;
  return '';
}

function show(v: unknown): string {
  if (v === null) return '(none)';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 117)}…` : one;
}

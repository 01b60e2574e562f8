// Reads a PostgreSQL database's schema into the normalised snapshot document (src/schema/document.ts):
// every user object keyed by its kind and qualified name, its definition as the server itself
// prints it (pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef, …). Keys
// and definitions never mention OIDs or creation order, so two databases built the same way in
// any order read the same. Objects that belong to an extension are the extension's, not listed.
// One query per kind, each over the whole catalog: the cost grows with the number of objects,
// not with round trips (10,000 tables is a handful of queries).
import type pg from 'pg';
import type { SchemaDocument, SchemaObject } from '../../schema/document.js';
import { inJsonbOrder, SNAPSHOT_FORMAT } from '../../schema/document.js';

const USER_NS = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`;

/** Not created by an extension (those are the extension's, and come and go with it). */
function notFromExtension(classid: string, oid: string): string {
  return `not exists (select 1 from pg_catalog.pg_depend d where d.classid = '${classid}'::regclass
                        and d.objid = ${oid} and d.deptype = 'e')`;
}

const QUERIES: Record<string, string> = {
  schema: `select 'schema' as kind, quote_ident(n.nspname) as name, null as parent, '{}'::json as def
             from pg_catalog.pg_namespace n where ${USER_NS} and ${notFromExtension('pg_namespace', 'n.oid')}`,
  extension: `select 'extension' as kind, quote_ident(e.extname) as name, null as parent,
                     json_build_object('version', e.extversion, 'schema', n.nspname) as def
                from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace`,
  table: `select 'table' as kind, format('%I.%I', n.nspname, c.relname) as name, null as parent,
                 json_build_object(
                   'partitioned', c.relkind = 'p',
                   'partitionKey', case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end,
                   'partitionOf', (select format('%I.%I', pn.nspname, p.relname) from pg_catalog.pg_inherits i
                                     join pg_catalog.pg_class p on p.oid = i.inhparent
                                     join pg_catalog.pg_namespace pn on pn.oid = p.relnamespace
                                    where i.inhrelid = c.oid and c.relispartition),
                   'partitionBound', case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end,
                   'inherits', (select json_agg(format('%I.%I', pn.nspname, p.relname) order by i.inhseqno)
                                  from pg_catalog.pg_inherits i
                                  join pg_catalog.pg_class p on p.oid = i.inhparent
                                  join pg_catalog.pg_namespace pn on pn.oid = p.relnamespace
                                 where i.inhrelid = c.oid and not c.relispartition),
                   'unlogged', c.relpersistence = 'u',
                   'rowSecurity', c.relrowsecurity,
                   'forceRowSecurity', c.relforcerowsecurity) as def
            from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p') and ${USER_NS} and ${notFromExtension('pg_class', 'c.oid')}`,
  column: `select 'column' as kind, format('%I.%I.%I', n.nspname, c.relname, a.attname) as name,
                  format('%I.%I', n.nspname, c.relname) as parent,
                  json_build_object(
                    'type', format_type(a.atttypid, a.atttypmod),
                    'notNull', a.attnotnull,
                    'default', case when a.attgenerated = '' then pg_get_expr(ad.adbin, ad.adrelid) end,
                    'generated', case when a.attgenerated <> '' then pg_get_expr(ad.adbin, ad.adrelid) end,
                    'identity', nullif(a.attidentity, ''),
                    'collation', case when a.attcollation <> t.typcollation
                                      then (select quote_ident(co.collname) from pg_catalog.pg_collation co
                                             where co.oid = a.attcollation) end) as def
             from pg_catalog.pg_attribute a
             join pg_catalog.pg_class c on c.oid = a.attrelid
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace
             join pg_catalog.pg_type t on t.oid = a.atttypid
             left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
            where c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped
              and ${USER_NS} and ${notFromExtension('pg_class', 'c.oid')}`,
  constraint: `select 'constraint' as kind, format('%I.%I.%I', n.nspname, c.relname, k.conname) as name,
                      format('%I.%I', n.nspname, c.relname) as parent,
                      json_build_object('definition', pg_get_constraintdef(k.oid, true)) as def
                 from pg_catalog.pg_constraint k
                 join pg_catalog.pg_class c on c.oid = k.conrelid
                 join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                where ${USER_NS} and ${notFromExtension('pg_class', 'c.oid')}`,
  // indexes that back a constraint are the constraint's (its definition says all of it)
  index: `select 'index' as kind, format('%I.%I', n.nspname, i.relname) as name,
                 format('%I.%I', tn.nspname, t.relname) as parent,
                 json_build_object('definition', pg_get_indexdef(i.oid)) as def
            from pg_catalog.pg_index x
            join pg_catalog.pg_class i on i.oid = x.indexrelid
            join pg_catalog.pg_namespace n on n.oid = i.relnamespace
            join pg_catalog.pg_class t on t.oid = x.indrelid
            join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
           where ${USER_NS} and ${notFromExtension('pg_class', 't.oid')}
             and not exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.oid and k.contype in ('p', 'u', 'x'))`,
  // triggers cloned onto partitions are their parent's
  trigger: `select 'trigger' as kind, format('%I.%I.%I', n.nspname, c.relname, g.tgname) as name,
                   format('%I.%I', n.nspname, c.relname) as parent,
                   json_build_object('definition', pg_get_triggerdef(g.oid, true), 'enabled', g.tgenabled) as def
              from pg_catalog.pg_trigger g
              join pg_catalog.pg_class c on c.oid = g.tgrelid
              join pg_catalog.pg_namespace n on n.oid = c.relnamespace
             where not g.tgisinternal and g.tgparentid = 0 and ${USER_NS}`,
  policy: `select 'policy' as kind, format('%I.%I.%I', n.nspname, c.relname, p.polname) as name,
                  format('%I.%I', n.nspname, c.relname) as parent,
                  json_build_object(
                    'command', p.polcmd, 'permissive', p.polpermissive,
                    'roles', (select json_agg(case when r = 0 then 'public' else pg_catalog.pg_get_userbyid(r)::text end order by 1)
                                from unnest(p.polroles) r),
                    'using', pg_get_expr(p.polqual, p.polrelid),
                    'withCheck', pg_get_expr(p.polwithcheck, p.polrelid)) as def
             from pg_catalog.pg_policy p
             join pg_catalog.pg_class c on c.oid = p.polrelid
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where ${USER_NS}`,
  view: `select case c.relkind when 'v' then 'view' else 'materialized_view' end as kind,
                format('%I.%I', n.nspname, c.relname) as name, null as parent,
                json_build_object('definition', pg_get_viewdef(c.oid, true)) as def
           from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('v', 'm') and ${USER_NS} and ${notFromExtension('pg_class', 'c.oid')}`,
  // identity columns' sequences are the column's (deptype i)
  sequence: `select 'sequence' as kind, format('%I.%I', n.nspname, c.relname) as name, null as parent,
                    json_build_object('type', format_type(s.seqtypid, null), 'start', s.seqstart::text,
                      'increment', s.seqincrement::text, 'min', s.seqmin::text, 'max', s.seqmax::text,
                      'cache', s.seqcache::text, 'cycle', s.seqcycle,
                      'ownedBy', (select format('%I.%I.%I', tn.nspname, t.relname, a.attname)
                                    from pg_catalog.pg_depend d
                                    join pg_catalog.pg_class t on t.oid = d.refobjid
                                    join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
                                    join pg_catalog.pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
                                   where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a'
                                     and d.refclassid = 'pg_class'::regclass)) as def
               from pg_catalog.pg_sequence s
               join pg_catalog.pg_class c on c.oid = s.seqrelid
               join pg_catalog.pg_namespace n on n.oid = c.relnamespace
              where ${USER_NS} and ${notFromExtension('pg_class', 'c.oid')}
                and not exists (select 1 from pg_catalog.pg_depend d where d.classid = 'pg_class'::regclass
                                  and d.objid = c.oid and d.deptype = 'i')`,
  function: `select case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end as kind,
                    format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as name,
                    null as parent,
                    json_build_object('definition', case when p.prokind in ('f', 'p') then pg_get_functiondef(p.oid) end,
                                      'result', pg_get_function_result(p.oid)) as def
               from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
              where ${USER_NS} and ${notFromExtension('pg_proc', 'p.oid')}`,
  enum: `select 'enum' as kind, format('%I.%I', n.nspname, t.typname) as name, null as parent,
                json_build_object('values', (select json_agg(e.enumlabel order by e.enumsortorder)
                                               from pg_catalog.pg_enum e where e.enumtypid = t.oid)) as def
           from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
          where t.typtype = 'e' and ${USER_NS} and ${notFromExtension('pg_type', 't.oid')}`,
  domain: `select 'domain' as kind, format('%I.%I', n.nspname, t.typname) as name, null as parent,
                  json_build_object('type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull,
                    'default', t.typdefault,
                    'constraints', (select json_agg(k.conname || ': ' || pg_get_constraintdef(k.oid, true) order by k.conname)
                                      from pg_catalog.pg_constraint k where k.contypid = t.oid)) as def
             from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
            where t.typtype = 'd' and ${USER_NS} and ${notFromExtension('pg_type', 't.oid')}`,
};

interface Row {
  kind: SchemaObject['kind'];
  name: string;
  parent: string | null;
  def: Record<string, unknown>;
}

/** The schema document of the database `c` is connected to (in its transaction's snapshot, if any). */
export async function readSchemaDocument(c: pg.ClientBase): Promise<SchemaDocument> {
  const objects: Record<string, SchemaObject> = {};
  for (const text of Object.values(QUERIES)) {
    const r = await c.query<Row>(text);
    for (const row of r.rows) {
      const definition: Record<string, unknown> = {};
      // absent and null mean the same: only what is set is kept, so documents stay small and equal
      for (const [k, v] of Object.entries(row.def)) if (v !== null && v !== false) definition[k] = v;
      const object: SchemaObject = { kind: row.kind, name: row.name, definition };
      if (row.parent !== null) object.table = row.parent;
      objects[`${row.kind} ${row.name}`] = object;
    }
  }
  const v = await c.query<{ v: string }>("select current_setting('server_version_num') as v");
  return inJsonbOrder({ format: SNAPSHOT_FORMAT, serverVersion: Number(v.rows[0]!.v), objects });
}

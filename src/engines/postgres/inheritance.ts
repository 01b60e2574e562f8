// Which tables descend from which: partitions (at every level of sub-partitioning) and plain
// inheritance children, as pg_inherits records them. pg_dump writes a partitioned table's rows per
// partition and an inheritance parent's children each on their own, so masking needs this to
// apply a rule on a parent to every table whose rows the parent's queries return.
import type pg from 'pg';
import type { TableAncestry } from '../../masking/rule-tables.js';

/**
 * Every user table (plain or partitioned) with the tables it descends from, nearest first (a
 * table with several parents lists them by depth, then by name). Tables without a parent have
 * an empty list.
 */
export async function tableAncestry(c: pg.ClientBase): Promise<TableAncestry[]> {
  // pg_inherits also links partitioned indexes to theirs: the walk starts from tables only
  const r = await c.query<TableAncestry>(
    `with recursive up(child, ancestor, depth) as (
       select i.inhrelid, i.inhparent, 1
         from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
        where c.relkind in ('r', 'p')
       union all
       select up.child, i.inhparent, up.depth + 1
         from up join pg_catalog.pg_inherits i on i.inhrelid = up.ancestor
     ), nearest as (
       select child, ancestor, min(depth) as depth from up group by child, ancestor
     )
     select n.nspname as schema, c.relname as name,
            coalesce(json_agg(json_build_object('schema', an.nspname, 'name', ac.relname)
                              order by a.depth, an.nspname, ac.relname) filter (where a.ancestor is not null),
                     '[]') as ancestors
       from pg_catalog.pg_class c
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       left join nearest a on a.child = c.oid
       left join pg_catalog.pg_class ac on ac.oid = a.ancestor
       left join pg_catalog.pg_namespace an on an.oid = ac.relnamespace
      where c.relkind in ('r', 'p')
        and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname !~ '^pg_(toast|temp_)'
      group by n.nspname, c.relname
      order by n.nspname, c.relname`,
  );
  return r.rows;
}

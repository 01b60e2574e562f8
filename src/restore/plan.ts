// A run's plan and its hash: what an approval approves (PRODUCT.md capability 5). The hash covers
// the backup, the point in time, the scope, the destination, the masking rules applied on the
// way and the post-restore steps (a SQL script by its content): anything that changes one of
// them after an approval voids the approval. `planHash` is pure; `currentPlan` reads the
// catalog in force and the scripts' contents.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Catalog, MaskingRule } from '../catalog/types.js';

export interface Plan {
  backupId: string | null;
  pointInTime: string | null;
  /** null: the whole database. */
  tables: readonly string[] | null;
  destination: { server: string; dbname: string; tier: string };
  /** The rules applied in the stream (none into production). */
  masking: readonly { table: string; column: string; transform: string; options: Readonly<Record<string, unknown>> }[];
  /** Each post-restore step: a SQL script with its content's sha256 (or `unreadable`), a command as written. */
  postRestore: readonly string[];
}

/** Canonical JSON: keys sorted at every level, so that equal plans hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function planHash(plan: Plan): string {
  const normal = {
    ...plan,
    tables: plan.tables ? [...plan.tables].sort() : null,
    masking: [...plan.masking].map(canonical).sort(),
  };
  return `sha256:${createHash('sha256').update(canonical(normal)).digest('hex')}`;
}

/** The run fields a plan is made of. */
export interface PlannedRun {
  database: string;
  backup_id: string | null;
  point_in_time: Date | null;
  tables: string[] | null;
  destination_server: string;
  destination_dbname: string;
  destination_tier: string;
}

function maskingOf(rules: readonly MaskingRule[]): Plan['masking'] {
  return rules.map((r) => ({ table: r.table, column: r.column, transform: r.transform, options: r.options }));
}

/** The run's plan as the catalog in force and the scripts on disk make it now. */
export async function currentPlan(catalog: Catalog, run: PlannedRun): Promise<Plan> {
  const database = catalog.databases[run.database];
  const tier = catalog.servers[run.destination_server]?.tier ?? run.destination_tier;
  const postRestore = await Promise.all(
    (database?.postRestore ?? []).map(async (s) => {
      if (s.kind === 'command') return `command:${s.command}`;
      const content = await readFile(s.path).catch(() => null);
      return `sql:${s.path}:${content ? createHash('sha256').update(content).digest('hex') : 'unreadable'}`;
    }),
  );
  return {
    backupId: run.backup_id,
    pointInTime: run.point_in_time ? run.point_in_time.toISOString() : null,
    tables: run.tables,
    destination: { server: run.destination_server, dbname: run.destination_dbname, tier },
    masking: tier === 'production' ? [] : maskingOf(database?.masking.rules ?? []),
    postRestore,
  };
}

export async function currentPlanHash(catalog: Catalog, run: PlannedRun): Promise<string> {
  return planHash(await currentPlan(catalog, run));
}

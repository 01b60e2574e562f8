// Run documents with their approvals, as the API answers them: the approval rows of a page of
// runs in one query (not one per run), and the owning teams' approvers from the catalog in force.
import type { Selectable } from 'kysely';
import type { Catalog } from '../catalog/types.js';
import type { RunDoc } from '../contract/runs.js';
import type { Db } from '../store/db.js';
import type { RestoreApprovalTable, RestoreRunTable } from '../store/schema.js';
import { loadRun } from './control.js';
import { runDoc } from './docs.js';

type RunRow = Selectable<RestoreRunTable>;

/** The approval rows of each run, oldest first. */
export async function approvalsOf(
  db: Db,
  runIds: readonly number[],
): Promise<Map<number, Selectable<RestoreApprovalTable>[]>> {
  const out = new Map<number, Selectable<RestoreApprovalTable>[]>();
  if (runIds.length === 0) return out;
  const rows = await db
    .selectFrom('restore_approvals')
    .selectAll()
    .where('run_id', 'in', [...runIds])
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const id = Number(r.run_id);
    out.set(id, [...(out.get(id) ?? []), r]);
  }
  return out;
}

/** Documents of `rows`, with their approvals; `sizes`: kept copies' sizes by run id. */
export async function runDocs(
  deps: { db: Db; catalog: Catalog },
  rows: readonly RunRow[],
  opts: { withLog?: boolean; sizes?: ReadonlyMap<number, number | null> } = {},
): Promise<RunDoc[]> {
  const approvals = await approvalsOf(
    deps.db,
    rows.map((r) => Number(r.id)),
  );
  return rows.map((r) =>
    runDoc(r, opts.withLog ?? false, opts.sizes?.get(Number(r.id)) ?? null, {
      rows: approvals.get(Number(r.id)) ?? [],
      teamApprovers: deps.catalog.teams[r.owner_team]?.approvers ?? [],
    }),
  );
}

/** The document of run `id` as it is now, with its approvals. */
export async function loadRunDoc(deps: { db: Db; catalog: Catalog }, id: number): Promise<RunDoc> {
  const [doc] = await runDocs(deps, [await loadRun(deps.db, id)]);
  return doc!;
}

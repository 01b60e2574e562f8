// Helpers of the restore assessment tests: the input of `assessChecks` / `assessPreview` for a
// destination of the test Lifeboat, read the way a request resolves it (the newest backup of
// CustomerDB from the store, its manifest, the scope resolved against it), and another backup.
import { Manifest } from '../../src/backup/manifest.js';
import type { Catalog, DatabaseConfig } from '../../src/catalog/types.js';
import type { AssessInput } from '../../src/restore/assess/index.js';
import { parseDestination } from '../../src/restore/identifier.js';
import { resolveScope } from '../../src/restore/scope.js';
import type { TestLifeboat } from './lifeboat.js';

export async function assessInput(
  lb: TestLifeboat,
  to: string,
  opts: {
    tables?: string[];
    runId?: number;
    now?: Date;
    backupId?: string;
    catalog?: Catalog;
    database?: DatabaseConfig;
  } = {},
): Promise<AssessInput> {
  const catalog = opts.catalog ?? lb.catalog;
  const database = opts.database ?? catalog.databases.CustomerDB!;
  const dest = parseDestination(to, database.dbname);
  let q = lb.store.db
    .selectFrom('backups')
    .select(['id', 'status', 'finished_at', 'verify_error', 'manifest'])
    .where('database', '=', 'CustomerDB')
    .where('deleted_at', 'is', null);
  q = opts.backupId ? q.where('id', '=', opts.backupId) : q.orderBy('finished_at', 'desc').limit(1);
  const row = await q.executeTakeFirstOrThrow();
  const manifest = Manifest.parse(row.manifest);
  return {
    db: lb.store.db,
    catalog,
    database,
    destination: { server: catalog.servers[dest.server]!, dbname: dest.dbname },
    backup: {
      id: row.id,
      status: row.status,
      finishedAt: row.finished_at!,
      verifyError: row.verify_error,
      manifest,
    },
    tables: opts.tables
      ? resolveScope(opts.tables, manifest.tables).map((t) => ({ schema: t.schema, name: t.name }))
      : null,
    ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
    ...(opts.now !== undefined ? { now: opts.now } : {}),
  };
}

export { backUpAgain } from './runs.js';

// Requesting a restore in one call: the wizard's steps (wizard.ts) one after the other — draft,
// source, scope, checks, preview — and, with `execute`, the acknowledgement and the typed
// confirmation, the submission of that very run (submit.ts). What can be refused before anything
// is written (the destination, a backup or table that does not exist, the typed identifier) is
// refused first, so a bad request leaves no run behind; a run whose checks block (a corrupt
// backup, personal data without a masking rule, …) stays a dry run the user can read.
import type PgBoss from 'pg-boss';
import type { Principal } from '../access/principal.js';
import { getDatabase } from '../catalog/lookup.js';
import type { Catalog } from '../catalog/types.js';
import type { RunRequest } from '../contract/runs.js';
import { LifeboatError, isLifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import { assertConfirmation, confirmationFor } from './identifier.js';
import { resolveScope } from './scope.js';
import { submitRun } from './submit.js';
import {
  buildPreview,
  chooseBackup,
  chooseScope,
  chooseSource,
  createDraft,
  resolveDestination,
  resolveSource,
  runChecks,
} from './wizard.js';

export interface RequestDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
}

export async function requestRestore(
  deps: RequestDeps,
  who: Principal,
  req: RunRequest,
  requestId: string | null,
): Promise<number> {
  const database = getDatabase(deps.catalog, req.database);
  const { server, dbname } = resolveDestination(deps.catalog, database, req.to);
  if (req.execute) {
    // refused before anything is written: the typed identifier, and "I reviewed the impact"
    const identifier = confirmationFor({ server: server.name, dbname, tier: server.tier, database: database.name });
    assertConfirmation(identifier, req.confirm, `${server.name}/${dbname}`);
    if (req.acknowledge !== true) {
      throw new LifeboatError('blocked_by_check', 'a restore cannot be executed before its impact is acknowledged', {
        hint: 'send acknowledge: true with execute (the checks and the preview were read), or make a dry run first and submit it',
      });
    }
  }
  // a source or tables that do not exist are refused here; what exists but is dangerous (a
  // corrupt backup, unmasked personal data, …) becomes a blocking check the dry run shows. A
  // point in time on a database with physical backups becomes a backup of the state then.
  const source = await resolveSource(deps, who, database, req, requestId);
  const backup = await chooseBackup(deps.db, database.name, { backupId: source.backupId });
  if (req.tables?.length) resolveScope(req.tables, backup.manifest.tables);

  const id = await deps.db.transaction().execute(async (trx) => {
    const runId = await createDraft(deps, who, req, requestId, trx);
    await chooseSource(deps, who, runId, source, requestId, trx);
    await chooseScope(deps, who, runId, req.tables?.length ? req.tables : null, requestId, trx);
    return runId;
  });
  await runChecks(deps, who, id, requestId);
  await buildPreview(deps, who, id, requestId);
  if (req.execute) {
    try {
      await submitRun(deps, who, id, { confirm: req.confirm, acknowledge: true }, requestId);
    } catch (err) {
      // the dry run stays, with its checks and preview: say which run to read
      if (isLifeboatError(err))
        throw new LifeboatError(err.code, `${err.message} (run ${id} stays a dry run)`, {
          hint: err.hint ?? `see \`lifeboat restore show ${id}\``,
          details: { runId: id, ...(err.details && typeof err.details === 'object' ? err.details : {}) },
        });
      throw err;
    }
  }
  return id;
}

// Requesting a restore in one call: the wizard's steps (wizard.ts) one after the other — draft,
// source, scope, checks, preview — and, with `execute`, the acknowledgement and the typed
// confirmation, the submission of that very run (submit.ts). What can be refused before anything
// is written (the destination, the backup, the tables, the typed identifier) is refused first, so
// a bad request leaves no run behind; a run whose checks block stays a dry run the user can read.
import type PgBoss from 'pg-boss';
import type { Principal } from '../access/principal.js';
import { getDatabase } from '../catalog/lookup.js';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import type { RunRequest } from '../contract/runs.js';
import { LifeboatError, isLifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import { assertConfirmation, confirmationFor } from './identifier.js';
import { maskedInScope, resolveScope } from './scope.js';
import { parseQualifiedName } from '../masking/leak-check.js';
import { submitRun } from './submit.js';
import {
  buildPreview,
  chooseBackup,
  chooseScope,
  chooseSource,
  createDraft,
  resolveDestination,
  runChecks,
} from './wizard.js';

export interface RequestDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
}

function sameTable(ref: string, t: { schema: string; name: string }): boolean {
  const q = parseQualifiedName(ref);
  return q.name === t.name && (q.schema ?? 'public') === t.schema;
}

function qualified(ref: string): { schema: string; name: string } {
  const q = parseQualifiedName(ref);
  return { schema: q.schema ?? 'public', name: q.name };
}

/** A non-production restore is refused while a column declared sensitive has no masking rule. */
export function assertMaskingCoverage(database: DatabaseConfig): void {
  const uncovered = database.masking.sensitive.filter(
    (s) => !database.masking.rules.some((r) => r.column === s.column && sameTable(r.table, { ...qualified(s.table) })),
  );
  if (uncovered.length) {
    throw new LifeboatError(
      'blocked_by_check',
      `${database.name} has sensitive columns without a masking rule: ${uncovered.map((u) => `${u.table}.${u.column}`).join(', ')}`,
      {
        hint: `add masking rules for them in databases.${database.name}.masking.rules`,
      },
    );
  }
}

export async function requestRestore(
  deps: RequestDeps,
  who: Principal,
  req: RunRequest,
  requestId: string | null,
): Promise<number> {
  const database = getDatabase(deps.catalog, req.database);
  const { server, dbname } = resolveDestination(deps.catalog, database, req.to);
  if (server.tier !== 'production') assertMaskingCoverage(database);
  const backup = await chooseBackup(deps.db, database.name, req);
  if (backup.status !== 'verified' && backup.status !== 'completed' && backup.status !== 'unverifiable') {
    throw new LifeboatError(
      'blocked_by_check',
      `backup ${backup.id} is ${backup.status} and cannot be restored${backup.verifyError ? ` (${backup.verifyError})` : ''}`,
      {
        hint: 'choose a verified backup (`lifeboat backup list`)',
      },
    );
  }
  const scope = req.tables?.length ? resolveScope(req.tables, backup.manifest.tables) : undefined;
  if (scope && server.tier !== 'production') {
    const masked = maskedInScope(database.masking.rules, scope, backup.manifest);
    if (masked === undefined) {
      throw new LifeboatError(
        'blocked_by_check',
        `a table-scoped restore cannot mask yet, and backup ${backup.id} was taken before Lifeboat recorded which tables are partitions or inheritance children, so it cannot tell whether a masking rule on a parent covers ${scope.map((t) => `${t.schema}.${t.name}`).join(', ')}`,
        {
          hint: `take a new backup (\`lifeboat backup run ${database.name}\`), or restore the whole database (masked)`,
        },
      );
    }
    if (masked.length) {
      throw new LifeboatError(
        'blocked_by_check',
        `a table-scoped restore cannot mask yet, and ${masked.map((t) => `${t.schema}.${t.name}`).join(', ')} has masking rules`,
        {
          hint: 'restore the whole database (masked), or leave the masked tables out of --tables',
        },
      );
    }
  }
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

  const id = await deps.db.transaction().execute(async (trx) => {
    const runId = await createDraft(deps, who, req, requestId, trx);
    await chooseSource(deps, who, runId, { backupId: backup.id, at: req.at }, requestId, trx);
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
          details: { runId: id },
        });
      throw err;
    }
  }
  return id;
}

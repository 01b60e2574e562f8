// A restore's safety checks, pure: each is a named function of the facts (facts.ts) that always
// returns a result — `blocking` (execution is impossible), `warning` (the requester must
// acknowledge it) or `safe` — with a stable code naming what it looks for, a message, and for
// blocking and warning a hint. A check that does not apply says so as `safe`, so the requester
// sees everything that was looked at; a check that could not be made (the destination did not
// answer) is a `warning` saying so, never a `safe`.
import type { ColumnRef, DatabaseConfig } from '../../catalog/types.js';
import type { CheckDoc } from '../../contract/runs.js';
import { majorVersion } from '../../engines/postgres/table-schema.js';
import { parseQualifiedName } from '../../masking/leak-check.js';
import { transformNeedsKey } from '../../masking/transformers/traits.js';
import { destinationRefusal } from '../destination-rule.js';
import { confirmationFor } from '../identifier.js';
import { maskedInScope } from '../scope.js';
import type { AssessFacts, ReachableDestination } from './facts.js';
import { label, schemaDiff, summary } from './schema-diff.js';

/** Every code, in the order the checks are reported. */
export const CHECK_CODES = [
  'destination_not_allowed',
  'destination_forbidden',
  'destination_production',
  'backup_not_verified',
  'rpo_exceeded',
  'sensitive_unmasked',
  'scope_needs_masking',
  'masking_key_missing',
  'post_restore_script_missing',
  'destination_unreachable',
  'server_version_older',
  'extension_missing',
  'destination_run_active',
  'destination_sessions',
  'destination_changed',
  'schema_differs',
  'foreign_keys_outside_scope',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

export interface Check extends CheckDoc {
  code: CheckCode;
}

const safe = (code: CheckCode, message: string, details?: Record<string, unknown>): Check => ({
  code,
  severity: 'safe',
  message,
  ...(details ? { details } : {}),
});
const warning = (code: CheckCode, message: string, hint: string, details?: Record<string, unknown>): Check => ({
  code,
  severity: 'warning',
  message,
  hint,
  ...(details ? { details } : {}),
});
const blocking = (code: CheckCode, message: string, hint: string, details?: Record<string, unknown>): Check => ({
  code,
  severity: 'blocking',
  message,
  hint,
  ...(details ? { details } : {}),
});

export function evaluateChecks(f: AssessFacts): Check[] {
  const d = f.destinationState;
  const onDestination = (check: (d: ReachableDestination) => Check, code: CheckCode): Check =>
    d.reachable
      ? check(d)
      : warning(
          code,
          `not checked: ${f.destination.server} could not be reached`,
          'check again once the destination server answers',
        );
  return [
    destinationNotAllowed(f),
    destinationForbidden(f),
    destinationProduction(f),
    backupNotVerified(f),
    rpoExceeded(f),
    sensitiveUnmasked(f),
    scopeNeedsMasking(f),
    maskingKeyMissing(f),
    postRestoreScriptMissing(f),
    destinationUnreachable(f),
    onDestination((d) => serverVersionOlder(f, d), 'server_version_older'),
    onDestination((d) => extensionMissing(f, d), 'extension_missing'),
    destinationRunActive(f),
    onDestination((d) => destinationSessions(f, d), 'destination_sessions'),
    onDestination((d) => destinationChanged(f, d), 'destination_changed'),
    onDestination(() => schemaDiffers(f), 'schema_differs'),
    onDestination((d) => foreignKeysOutsideScope(f, d), 'foreign_keys_outside_scope'),
  ];
}

const target = (f: AssessFacts) => `${f.destination.server}/${f.destination.dbname}`;
const masks = (f: AssessFacts) => f.destination.tier !== 'production';
const NOT_MASKED_INTO_PRODUCTION = 'not masked: a production destination gets the data as it was (a rollback)';
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function destinationNotAllowed(f: AssessFacts): Check {
  const { server } = f.destination;
  if (f.database.destinations.includes(server))
    return safe(
      'destination_not_allowed',
      `${server} (${f.destination.tier}) is an allowed destination of ${f.database.name}`,
    );
  return blocking(
    'destination_not_allowed',
    `${f.database.name} may not be restored to ${server}`,
    `allowed destinations: ${f.database.destinations.join(', ') || '(none)'}; add it to databases.${f.database.name}.destinations`,
  );
}

function destinationForbidden(f: AssessFacts): Check {
  const refusal = destinationRefusal({
    database: f.database.name,
    server: f.destination.server,
    dbname: f.destination.dbname,
    tier: f.destination.tier,
    catalogued: f.catalogued,
  });
  if (refusal === null)
    return safe(
      'destination_forbidden',
      `${target(f)} is not a system database, a Lifeboat name or another catalogued database`,
    );
  return blocking('destination_forbidden', refusal.message, refusal.hint, { rule: refusal.rule });
}

function destinationProduction(f: AssessFacts): Check {
  if (f.destination.tier !== 'production')
    return safe('destination_production', `${f.destination.server} is a ${f.destination.tier} server, not production`);
  const identifier = confirmationFor({ ...f.destination, database: f.database.name });
  return warning(
    'destination_production',
    `${f.destination.server} is a production server: ${target(f)} is replaced with the backup's data, unmasked`,
    `this needs at least two approvals and the typed confirmation "${identifier}"; the replaced database is kept for \`lifeboat restore undo\``,
  );
}

function backupNotVerified(f: AssessFacts): Check {
  const b = f.backup;
  const why = b.verifyError ? ` (${b.verifyError})` : '';
  switch (b.status) {
    case 'verified':
      return safe('backup_not_verified', `backup ${b.id} is verified`);
    case 'completed':
      return warning(
        'backup_not_verified',
        `backup ${b.id} is completed but not verified yet: its checksums are checked as it is restored`,
        `wait for its verification, or verify it now: \`lifeboat backup verify ${b.id}\``,
      );
    case 'unverifiable':
      return warning(
        'backup_not_verified',
        `backup ${b.id} could not be verified: its last verification could not read the storage${why}`,
        `verify it again once the storage answers: \`lifeboat backup verify ${b.id}\`; its checksums are checked as it is restored`,
      );
    default:
      return blocking(
        'backup_not_verified',
        `backup ${b.id} is ${b.status} and cannot be restored${why}`,
        `choose another backup (\`lifeboat backup list ${f.database.name}\`)`,
        { status: b.status },
      );
  }
}

function rpoExceeded(f: AssessFacts): Check {
  const rpo = f.database.rpo;
  if (rpo === undefined) return safe('rpo_exceeded', `${f.database.name} has no RPO set`);
  const newest = f.newestUsableBackup;
  const run = `take one: \`lifeboat backup run ${f.database.name}\``;
  if (newest === null)
    return warning('rpo_exceeded', `${f.database.name} has no usable backup within its RPO of ${rpo.text}`, run);
  const ageMs = f.now.getTime() - newest.finishedAt.getTime();
  if (ageMs <= rpo.ms)
    return safe('rpo_exceeded', `the newest usable backup (${newest.id}) is within the RPO of ${rpo.text}`);
  return warning(
    'rpo_exceeded',
    `the newest usable backup of ${f.database.name} (${newest.id}, finished ${newest.finishedAt.toISOString()}) is older than its RPO of ${rpo.text}`,
    `backups are not keeping up with the RPO; ${run}`,
    { newestBackupId: newest.id, ageMs },
  );
}

function sameTable(ref: string, t: { schema: string; name: string }): boolean {
  const q = parseQualifiedName(ref);
  return q.name === t.name && (q.schema ?? 'public') === t.schema;
}

/** Columns declared sensitive that no masking rule names (a non-production restore refuses them). */
export function uncoveredSensitive(database: Pick<DatabaseConfig, 'masking'>): ColumnRef[] {
  return database.masking.sensitive.filter((s) => {
    const q = parseQualifiedName(s.table);
    const table = { schema: q.schema ?? 'public', name: q.name };
    return !database.masking.rules.some((r) => r.column === s.column && sameTable(r.table, table));
  });
}

function sensitiveUnmasked(f: AssessFacts): Check {
  if (!masks(f)) return safe('sensitive_unmasked', NOT_MASKED_INTO_PRODUCTION);
  const uncovered = uncoveredSensitive(f.database);
  if (uncovered.length === 0) {
    return safe(
      'sensitive_unmasked',
      f.database.masking.sensitive.length
        ? `every column declared sensitive has a masking rule (${plural(f.database.masking.rules.length, 'rule')})`
        : `${f.database.name} declares no sensitive columns`,
    );
  }
  const names = uncovered.map((u) => `${u.table}.${u.column}`);
  return blocking(
    'sensitive_unmasked',
    `${f.database.name} has sensitive columns without a masking rule: ${names.join(', ')}`,
    `add masking rules for them in databases.${f.database.name}.masking.rules`,
    { columns: names },
  );
}

function scopeNeedsMasking(f: AssessFacts): Check {
  if (f.scope === null)
    return safe('scope_needs_masking', 'the whole database is restored: masking applies in the stream');
  if (!masks(f)) return safe('scope_needs_masking', NOT_MASKED_INTO_PRODUCTION);
  const tables = f.scope.map(label).join(', ');
  const masked = maskedInScope(f.database.masking.rules, f.scope, f.backup.manifest);
  if (masked === undefined) {
    return blocking(
      'scope_needs_masking',
      `a table-scoped restore cannot mask yet, and backup ${f.backup.id} was taken before Lifeboat recorded which tables are partitions or inheritance children, so it cannot tell whether a masking rule on a parent covers ${tables}`,
      `take a new backup (\`lifeboat backup run ${f.database.name}\`), or restore the whole database (masked)`,
    );
  }
  if (masked.length) {
    return blocking(
      'scope_needs_masking',
      `a table-scoped restore cannot mask yet, and ${masked.map(label).join(', ')} has masking rules`,
      'restore the whole database (masked), or leave the masked tables out of --tables',
      { tables: masked.map(label) },
    );
  }
  return safe('scope_needs_masking', `no masking rule covers ${tables}`);
}

function maskingKeyMissing(f: AssessFacts): Check {
  if (!masks(f)) return safe('masking_key_missing', NOT_MASKED_INTO_PRODUCTION);
  const keyed = f.database.masking.rules.filter((r) => transformNeedsKey(r));
  if (keyed.length === 0) return safe('masking_key_missing', 'no masking rule needs the masking key');
  if (f.maskingKey === 'present')
    return safe(
      'masking_key_missing',
      `the masking key is set (${plural(keyed.length, 'rule')} ${keyed.length === 1 ? 'uses' : 'use'} it)`,
    );
  const first = keyed[0]!;
  return blocking(
    'masking_key_missing',
    `the masking key is ${f.maskingKey === 'absent' ? 'not set' : 'empty'}, and the rule for ${first.table}.${first.column} (${first.transform})${keyed.length > 1 ? ` and ${plural(keyed.length - 1, 'other')}` : ''} needs it`,
    `set databases.${f.database.name}.masking.key (e.g. key: env:MASKING_KEY) to a long random value`,
  );
}

function postRestoreScriptMissing(f: AssessFacts): Check {
  const scripts = f.postRestoreScripts;
  if (scripts.length === 0)
    return safe('post_restore_script_missing', `${f.database.name} has no post-restore SQL script`);
  const bad = scripts.filter((s) => s.problem !== null);
  if (bad.length === 0)
    return safe(
      'post_restore_script_missing',
      `every post-restore script can be read (${plural(scripts.length, 'script')})`,
    );
  return blocking(
    'post_restore_script_missing',
    `post-restore ${bad.length === 1 ? 'script' : 'scripts'} ${bad.map((s) => `${s.path} ${s.problem}`).join('; ')}`,
    `put the script back, or fix the path in databases.${f.database.name}.post_restore (relative to lifeboat.yaml)`,
    { scripts: bad.map((s) => s.path) },
  );
}

function destinationUnreachable(f: AssessFacts): Check {
  const d = f.destinationState;
  if (d.reachable)
    return safe(
      'destination_unreachable',
      `${f.destination.server} answered; ${f.destination.dbname} ${d.exists ? 'exists' : 'does not exist yet (the restore creates it)'}`,
    );
  return blocking(
    'destination_unreachable',
    `${f.destination.server} could not be reached: ${d.reason}`,
    `check that ${f.destination.server} is up and its URL and credentials in lifeboat.yaml are right, then check again`,
  );
}

function serverVersionOlder(f: AssessFacts, d: ReachableDestination): Check {
  const source = majorVersion(f.backup.manifest.serverVersion);
  const dest = majorVersion(d.serverVersionNum);
  if (source === undefined || dest === undefined || dest >= source)
    return safe(
      'server_version_older',
      `${f.destination.server} runs PostgreSQL ${dest ?? '?'}; the backup was taken on PostgreSQL ${f.backup.manifest.serverVersion}`,
    );
  return blocking(
    'server_version_older',
    `${f.destination.server} runs PostgreSQL ${dest}, older than the ${source} the backup was taken on: pg_restore cannot load it reliably`,
    `restore into a server running PostgreSQL ${source} or newer`,
    { source, destination: dest },
  );
}

function extensionMissing(f: AssessFacts, d: ReachableDestination): Check {
  const needed = f.backup.manifest.extensions;
  if (needed === undefined) {
    return warning(
      'extension_missing',
      `the extensions of backup ${f.backup.id} were not recorded (taken before Lifeboat recorded them): not checked`,
      `a missing extension fails the restore before the destination is touched; a new backup (\`lifeboat backup run ${f.database.name}\`) records them`,
    );
  }
  const missing = needed.filter((e) => !d.availableExtensions.includes(e.name));
  if (missing.length === 0)
    return safe(
      'extension_missing',
      `${f.destination.server} has every extension the backup uses (${needed.map((e) => e.name).join(', ') || 'none'})`,
    );
  const names = missing.map((e) => `${e.name} ${e.version}`);
  return blocking(
    'extension_missing',
    `${f.destination.server} lacks ${missing.length === 1 ? 'an extension' : 'extensions'} the backup uses: ${names.join(', ')}`,
    `install ${missing.length === 1 ? 'it' : 'them'} on ${f.destination.server} (the package that provides ${missing.map((e) => e.name).join(', ')}), then check again`,
    { extensions: missing.map((e) => e.name) },
  );
}

function destinationRunActive(f: AssessFacts): Check {
  const runs = f.otherRuns;
  if (runs.length === 0) return safe('destination_run_active', `no other run is going to write ${target(f)}`);
  const listed = runs.map((r) => `run ${r.id} (${r.status}${r.holdsLock ? ', holds its lock' : ''})`).join(', ');
  return warning(
    'destination_run_active',
    `another run is going to write ${target(f)}: ${listed}; this one waits for it, then replaces what it wrote`,
    `check with its requester (\`lifeboat restore show ${runs[0]!.id}\`), or choose another database name`,
    { runs: runs.map((r) => r.id) },
  );
}

function destinationSessions(f: AssessFacts, d: ReachableDestination): Check {
  if (!d.exists) return safe('destination_sessions', `${target(f)} does not exist yet: nobody is connected to it`);
  const total = d.sessions.reduce((a, s) => a + s.count, 0);
  if (total === 0) return safe('destination_sessions', `nobody is connected to ${target(f)}`);
  return warning(
    'destination_sessions',
    `${target(f)} has ${plural(total, 'active session')} (${d.sessions.map((s) => `${s.user}: ${s.count}`).join(', ')}): they will be ended at the swap`,
    'tell the people and applications connected to it, or choose another database name',
    { sessions: total },
  );
}

/**
 * Whether the destination was written after the backup was taken, so that the restore loses
 * those writes. Only a restore over the backup's own source database (a production rollback)
 * has "later changes" to lose: any other destination holds other data, which the preview shows
 * table by table. Two cheap signals, both read from catalogs and never from the tables' rows:
 * - the statistics collector's write counters (inserts + updates + deletes per table), which the
 *   backup recorded in its snapshot: a counter that grew since means rows were written, updates
 *   included. The counters are not transactional and are flushed about once a second, so a write
 *   just before the backup may be counted as after it — this check errs towards warning. They
 *   are reset by pg_stat_reset and lost in a crash: a counter lower than recorded, or statistics
 *   reset after the backup, makes them unusable, and then
 * - row counts: the destination's (exact where cheap) against the manifest's. Updates leave them
 *   equal, so the message says that only counts were compared.
 */
function destinationChanged(f: AssessFacts, d: ReachableDestination): Check {
  const m = f.backup.manifest;
  const code = 'destination_changed';
  if (f.destination.server !== m.server || f.destination.dbname !== m.dbname)
    return safe(
      code,
      `${target(f)} is not the database backup ${f.backup.id} was taken from: it holds no later changes of it`,
    );
  if (!d.exists) return safe(code, `${target(f)} does not exist any more: there is nothing to lose`);
  const restored = f.scope ?? m.tables;
  const takenAt = new Date(m.startedAt);
  const countersUsable =
    m.writes !== undefined &&
    (d.statsResetAt === null || d.statsResetAt.getTime() < takenAt.getTime()) &&
    m.writes.every((w) => (d.writes.find((x) => x.schema === w.schema && x.name === w.name)?.writes ?? 0) >= w.writes);
  const changed: string[] = [];
  for (const t of restored) {
    const now = d.tables.find((x) => x.schema === t.schema && x.name === t.name);
    if (countersUsable) {
      const before = m.writes!.find((w) => w.schema === t.schema && w.name === t.name)?.writes ?? 0;
      const after = d.writes.find((w) => w.schema === t.schema && w.name === t.name)?.writes ?? 0;
      if (after > before) changed.push(`${label(t)}: ${plural(after - before, 'row written', 'rows written')}`);
    } else if (now !== undefined && !now.estimated && now.rows !== t.rows) {
      changed.push(
        `${label(t)}: ${now.rows!.toLocaleString('en-US')} rows now, ${t.rows.toLocaleString('en-US')} in the backup`,
      );
    }
  }
  const basis = countersUsable
    ? 'write counters'
    : `row counts only (${m.writes === undefined ? 'the backup did not record write counters' : "the server's statistics were reset since the backup"}): updates that keep counts equal are not seen`;
  if (changed.length === 0)
    return safe(code, `${target(f)} was not written since backup ${f.backup.id} was taken (by its ${basis})`);
  return warning(
    code,
    `${target(f)} was written after backup ${f.backup.id} was taken (${changed.join('; ')}): the restore loses those changes`,
    `if they may be needed, take a backup first (\`lifeboat backup run ${f.database.name}\`); the replaced database is also kept for \`lifeboat restore undo\``,
    { tables: changed, basis: countersUsable ? 'write_counters' : 'row_counts' },
  );
}

function schemaDiffers(f: AssessFacts): Check {
  const diff = schemaDiff(f.backup.manifest, f.scope, f.destinationState);
  const code = 'schema_differs';
  switch (diff.status) {
    case 'destination_unknown':
    case 'destination_absent':
      return safe(code, diff.note);
    case 'tables_only':
    case 'compared': {
      const differs = diff.tablesAdded.length + diff.tablesRemoved.length + diff.columns.length > 0;
      const caveat = diff.status === 'tables_only' ? ` (${diff.note})` : '';
      if (!differs)
        return safe(
          code,
          `the destination has the backup's tables${diff.status === 'compared' ? ' and columns' : ''}${caveat}`,
        );
      const details = {
        tablesAdded: diff.tablesAdded,
        tablesRemoved: diff.tablesRemoved,
        columns: diff.columns.length,
      };
      // a table-scoped restore copies rows into the destination's own tables: one it lacks fails the copy
      if (f.scope !== null && diff.tablesAdded.length) {
        return blocking(
          code,
          `a table-scoped restore copies rows into tables of ${target(f)}, and it lacks ${diff.tablesAdded.join(', ')}`,
          'restore the whole database, or create the tables in the destination first',
          details,
        );
      }
      return warning(
        code,
        `the schema of ${target(f)} differs from the backup's: ${summary(diff)}${caveat}`,
        f.scope === null
          ? "the restore replaces the destination's schema with the backup's: check that applications using it expect that"
          : "the rows are copied into the destination's tables as they are: a column the backup has and the destination lacks fails the copy (rolled back)",
        details,
      );
    }
    default: {
      const never: never = diff.status;
      throw new Error(String(never));
    }
  }
}

function foreignKeysOutsideScope(f: AssessFacts, d: ReachableDestination): Check {
  const code = 'foreign_keys_outside_scope';
  if (f.scope === null) return safe(code, 'the whole database is restored: no reference leaves it');
  if (!d.exists) return safe(code, `${target(f)} does not exist yet`);
  if (d.foreignKeysOutside.length === 0)
    return safe(code, 'no foreign key links a restored table with one outside the scope');
  return warning(
    code,
    `foreign keys cross the scope, and the restore does not check them: ${d.foreignKeysOutside.join('; ')}`,
    'rows on either side may end up referencing rows that do not exist; add the referenced tables to --tables, or restore the whole database',
    { foreignKeys: d.foreignKeysOutside },
  );
}

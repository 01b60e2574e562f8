// The checks of what a restore is asked to do, against the catalog and the control plane's
// records: the destination chosen, the backup and its age, masking, post-restore scripts, other
// runs on the destination. Pure.
import type { ColumnRef, DatabaseConfig } from '../../catalog/types.js';
import { parseQualifiedName } from '../../masking/leak-check.js';
import { rulesByTable } from '../../masking/rule-tables.js';
import { transformNeedsKey } from '../../masking/transformers/traits.js';
import { destinationRefusal } from '../destination-rule.js';
import { confirmationFor } from '../identifier.js';
import { maskedInScope } from '../scope.js';
import {
  blocking,
  type Check,
  masks,
  NOT_MASKED_INTO_PRODUCTION,
  plural,
  safe,
  target,
  warning,
} from './check-result.js';
import type { AssessFacts } from './facts.js';
import { label } from './schema-diff.js';

export function destinationNotAllowed(f: AssessFacts): Check {
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

export function destinationForbidden(f: AssessFacts): Check {
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

export function destinationProduction(f: AssessFacts): Check {
  if (f.destination.tier !== 'production')
    return safe('destination_production', `${f.destination.server} is a ${f.destination.tier} server, not production`);
  const identifier = confirmationFor({ ...f.destination, database: f.database.name });
  return warning(
    'destination_production',
    `${f.destination.server} is a production server: ${target(f)} is replaced with the backup's data, unmasked`,
    `this needs at least two approvals and the typed confirmation "${identifier}"; the replaced database is kept for \`lifeboat restore undo\``,
  );
}

export function backupNotVerified(f: AssessFacts): Check {
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

export function rpoExceeded(f: AssessFacts): Check {
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

export function sensitiveUnmasked(f: AssessFacts): Check {
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

export function scopeNeedsMasking(f: AssessFacts): Check {
  if (f.scope === null)
    return safe('scope_needs_masking', 'the whole database is restored: masking applies in the stream');
  if (!masks(f)) return safe('scope_needs_masking', NOT_MASKED_INTO_PRODUCTION);
  const tables = f.scope.map(label).join(', ');
  const masked = maskedInScope(f.database.masking.rules, f.scope, f.backup.manifest);
  if (masked === undefined) {
    return blocking(
      'scope_needs_masking',
      `backup ${f.backup.id} was taken before Lifeboat recorded which tables are partitions or inheritance children, so it cannot tell whether a masking rule on a parent covers ${tables}`,
      `take a new backup (\`lifeboat backup run ${f.database.name}\`), or restore the whole database (masked)`,
    );
  }
  if (masked.length) {
    const applied = rulesByTable(f.database.masking.rules, masked, f.backup.manifest.inheritance ?? []).applied;
    const each = masked.map((t) => `${label(t)} (${plural(applied.get(t)?.length ?? 0, 'rule')})`);
    return safe(
      'scope_needs_masking',
      `masked on its way in, in the transaction that replaces the rows: ${each.join(', ')}; each rule is checked to fit the destination's column before any row changes`,
      { tables: masked.map(label) },
    );
  }
  return safe('scope_needs_masking', `no masking rule covers ${tables}`);
}

export function maskingKeyMissing(f: AssessFacts): Check {
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

export function postRestoreScriptMissing(f: AssessFacts): Check {
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

export function destinationRunActive(f: AssessFacts): Check {
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

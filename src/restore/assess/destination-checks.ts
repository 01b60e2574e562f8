// The checks of the destination as it is now (facts.ts reads it): whether it answers, its
// server's version and extensions, who is connected, what was written since the backup, its
// schema, and foreign keys that leave a table scope. Pure.
import { majorVersion } from '../../engines/postgres/table-schema.js';
import { blocking, type Check, plural, safe, target, warning } from './check-result.js';
import type { AssessFacts, ReachableDestination } from './facts.js';
import { label, schemaDiff, summary } from './schema-diff.js';

export function destinationUnreachable(f: AssessFacts): Check {
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

export function serverVersionOlder(f: AssessFacts, d: ReachableDestination): Check {
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

export function extensionMissing(f: AssessFacts, d: ReachableDestination): Check {
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

export function destinationSessions(f: AssessFacts, d: ReachableDestination): Check {
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
export function destinationChanged(f: AssessFacts, d: ReachableDestination): Check {
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

export function schemaDiffers(f: AssessFacts): Check {
  const diff = schemaDiff(f.backup.manifest, f.scope, f.destinationState, f.database.schema?.ignore ?? []);
  const code = 'schema_differs';
  switch (diff.status) {
    case 'destination_unknown':
    case 'destination_absent':
      return safe(code, diff.note);
    case 'tables_only':
    case 'compared': {
      const differs =
        diff.tablesAdded.length + diff.tablesRemoved.length + diff.columns.length + (diff.objects?.length ?? 0) > 0;
      const caveat = diff.status === 'tables_only' ? ` (${diff.note})` : '';
      if (!differs) {
        if (diff.note === 'the same schema')
          return safe(code, "the destination has the backup's schema: tables, columns and every other object");
        return safe(
          code,
          `the destination has the backup's tables${diff.status === 'compared' ? ' and columns' : ''}${caveat}`,
        );
      }
      const details = {
        tablesAdded: diff.tablesAdded,
        tablesRemoved: diff.tablesRemoved,
        columns: diff.columns.length,
        ...(diff.objects?.length ? { objects: diff.objects.length } : {}),
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

export function foreignKeysOutsideScope(f: AssessFacts, d: ReachableDestination): Check {
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

// `lifeboat schema …` (through the API): snapshot, list, show, diff, drift and accept. `drift`
// exits 1 when the live schema differs from the reference, so a pipeline can run it as a check.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  type DiffResult,
  type DriftResult,
  SchemaDocument,
  type SchemaSide,
  type SnapshotDoc,
  type SnapshotList,
  type SnapshotSummary,
} from '../../contract/schema.js';
import { LifeboatError, messageOf } from '../../errors.js';
import { diffSummary } from '../../schema/summary.js';
import { apiClient } from '../client.js';
import { cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';

const SIDE_FORMS =
  'a side is live:<database>, snapshot:<id> (or just the id), backup:<id> (or a backup id), a reference SQL file (.sql) or a snapshot document file (.json)';

/** What a diff side typed on the command line names. */
export function parseSide(arg: string): SchemaSide {
  if (arg.startsWith('live:')) return { kind: 'live', database: arg.slice(5) };
  if (arg.startsWith('snapshot:')) return { kind: 'snapshot', id: arg.slice(9) };
  if (arg.startsWith('backup:')) return { kind: 'backup', id: arg.slice(7) };
  if (/^[1-9][0-9]*$/.test(arg)) return { kind: 'snapshot', id: arg };
  if (/^\d{8}T\d{6}Z-[0-9a-f]+$/.test(arg)) return { kind: 'backup', id: arg };
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch {
    throw new LifeboatError('invalid_request', `unable to read diff side "${arg}": no such file`, { hint: SIDE_FORMS });
  }
  // a SQL script is applied by the server to an empty database of a throwaway cluster
  if (arg.endsWith('.sql')) return { kind: 'sql', label: arg, sql: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LifeboatError('invalid_request', `unable to read ${arg}: not JSON (${messageOf(err)})`, {
      hint: 'a file side is a snapshot document, as `lifeboat schema show <id> --json` prints it (its "document")',
    });
  }
  // a whole `schema show --json` output is accepted as well as its document
  const candidate =
    typeof parsed === 'object' && parsed !== null && 'document' in parsed
      ? (parsed as { document: unknown }).document
      : parsed;
  const doc = SchemaDocument.safeParse(candidate);
  if (!doc.success) {
    throw new LifeboatError('invalid_request', `unable to read ${arg}: not a schema snapshot document`, {
      hint: 'a file side is a snapshot document, as `lifeboat schema show <id> --json` prints it',
    });
  }
  return { kind: 'document', label: basename(arg), document: doc.data };
}

function snapshotLine(s: SnapshotSummary): string {
  const accepted = s.accepted
    ? `, accepted by ${s.accepted.by}${s.accepted.comment ? ` (${s.accepted.comment})` : ''}`
    : '';
  return `snapshot ${s.id} of ${s.database}: ${s.objects} objects, fingerprint ${s.fingerprint.slice(0, 16)}, taken ${s.takenAt} by ${s.takenBy}${accepted}`;
}

function driftText(r: DriftResult): string {
  const head = `${r.database}: live schema vs reference ${r.reference.label} (report ${r.reportId})`;
  if (!r.drift) return `${head}\nno drift`;
  const undo = r.sql ? `\nSQL that turns the live schema back into the reference:\n${r.sql.trimEnd()}` : '';
  const hint = r.reference.label.startsWith('reference file ')
    ? 'undo the change (the SQL above), or change the reference file'
    : `undo the change, or make it the reference with \`lifeboat schema accept ${r.database}\``;
  return `${head}\nDRIFT:\n${diffSummary(r.changes)}${undo}\nHINT: ${hint}`;
}

export function registerSchemaCommands(program: Command): void {
  const schema = program.command('schema').description('schema snapshots, diffs and drift detection');
  schema
    .command('snapshot <database>')
    .description("take a snapshot of the database's live schema and keep it in the catalog")
    .action(async (database: string, _o: unknown, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<SnapshotDoc>(
        'POST',
        `/api/v1/databases/${encodeURIComponent(database)}/schema/snapshots`,
      );
      emit(ctx, r, () => snapshotLine(r));
    });
  schema
    .command('list <database>')
    .description("the database's stored schema snapshots, newest first")
    .action(async (database: string, _o: unknown, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<SnapshotList>(
        'GET',
        `/api/v1/databases/${encodeURIComponent(database)}/schema/snapshots`,
      );
      emit(ctx, r, () =>
        r.snapshots.length === 0
          ? `${r.database}: no schema snapshots (take one with \`lifeboat schema snapshot ${r.database}\`)`
          : r.snapshots.map(snapshotLine).join('\n'),
      );
    });
  schema
    .command('show <id>')
    .description('one stored snapshot and its objects')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<SnapshotDoc>('GET', `/api/v1/schema/snapshots/${encodeURIComponent(id)}`);
      emit(ctx, r, () =>
        [
          snapshotLine(r),
          ...Object.values(r.document.objects)
            .map((o) => `  ${o.kind.replace('_', ' ')} ${o.name}`)
            .sort(),
        ].join('\n'),
      );
    });
  schema
    .command('diff <a> <b>')
    .description(`the differences from a to b; ${SIDE_FORMS}`)
    .option(
      '--sql',
      'print the SQL that turns a into b, from migra (each side a live database, a backup or a .sql file: backups and files are built in a throwaway cluster)',
    )
    .action(async (a: string, b: string, o: { sql?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<DiffResult>('POST', '/api/v1/schema/diff', {
        a: parseSide(a),
        b: parseSide(b),
        sql: o.sql === true,
      });
      emit(ctx, r, () => (o.sql ? (r.sql ?? '') : `a: ${r.a.label}\nb: ${r.b.label}\n${diffSummary(r.changes)}`));
    });
  schema
    .command('drift <database>')
    .description('compare the live schema with the accepted reference (exit 1 on drift); stores a report')
    .action(async (database: string, _o: unknown, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<DriftResult>(
        'POST',
        `/api/v1/databases/${encodeURIComponent(database)}/schema/drift`,
      );
      emit(ctx, r, () => driftText(r));
      if (r.drift) process.exitCode = EXIT.failed;
    });
  schema
    .command('accept <database>')
    .description('make the live schema the drift reference (db-owner of the team, or dba-admin; audited)')
    .option('--comment <text>', 'why, kept with the reference and in the audit trail')
    .action(async (database: string, o: { comment?: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<SnapshotSummary>(
        'POST',
        `/api/v1/databases/${encodeURIComponent(database)}/schema/accept`,
        o.comment === undefined ? {} : { comment: o.comment },
      );
      emit(ctx, r, () => `${snapshotLine(r)}\n${r.database}: this is now the drift reference`);
    });
}

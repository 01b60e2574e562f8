// INTERIM (replaced by the full checks and preview): the checks and preview request.ts made.
import type { Manifest } from '../../backup/manifest.js';
import type { Catalog, DatabaseConfig, ServerConfig } from '../../catalog/types.js';
import type { CheckDoc, PreviewDoc } from '../../contract/runs.js';
import { parseQualifiedName } from '../../masking/leak-check.js';
import type { Db } from '../../store/db.js';

export interface AssessInput {
  db: Db;
  catalog: Catalog;
  database: DatabaseConfig;
  destination: { server: ServerConfig; dbname: string };
  backup: { id: string; status: string; finishedAt: Date; verifyError: string | null; manifest: Manifest };
  tables: readonly { schema: string; name: string; rows: number }[] | null;
  runId?: number;
}

function sameTable(ref: string, t: { schema: string; name: string }): boolean {
  const q = parseQualifiedName(ref);
  return q.name === t.name && (q.schema ?? 'public') === t.schema;
}

function masked(input: AssessInput): boolean {
  return input.destination.server.tier !== 'production' && input.database.masking.rules.length > 0;
}

export async function assessChecks(input: AssessInput): Promise<CheckDoc[]> {
  const { database, backup } = input;
  const server = input.destination.server;
  return [
    {
      code: 'destination_allowed',
      severity: 'safe',
      message: `${server.name} (${server.tier}) is an allowed destination of ${database.name}`,
    },
    backup.status === 'verified'
      ? { code: 'backup_verified', severity: 'safe', message: `backup ${backup.id} is verified` }
      : {
          code: 'backup_verified',
          severity: 'warning',
          message: `backup ${backup.id} is ${backup.status}, not verified yet: its checksums are checked as it is restored`,
        },
    {
      code: 'masking',
      severity: 'safe',
      message: masked(input)
        ? `${database.masking.rules.length} masking rule(s) applied in the stream; every column declared sensitive has one`
        : server.tier === 'production'
          ? 'not masked: a production destination gets the data as it was (a rollback)'
          : `not masked: ${database.name} has no masking rules`,
    },
  ];
}

export async function assessPreview(input: AssessInput): Promise<PreviewDoc> {
  const { database, backup } = input;
  const m = masked(input);
  return {
    backupId: backup.id,
    backupTakenAt: backup.manifest.finishedAt,
    tables: (input.tables ?? backup.manifest.tables).map((t) => ({
      table: `${t.schema}.${t.name}`,
      rowsInBackup: t.rows,
      masking: m
        ? database.masking.rules.filter((r) => sameTable(r.table, t)).map((r) => `${r.column}: ${r.transform}`)
        : [],
    })),
    masking: {
      applied: m,
      note: m
        ? `${database.masking.rules.length} masking rule(s) applied in the stream; every column declared sensitive has one`
        : input.destination.server.tier === 'production'
          ? 'not masked: a production destination gets the data as it was (a rollback)'
          : `not masked: ${database.name} has no masking rules`,
    },
  };
}

// Restore run documents of the API, shared by the server, the CLI and the UI.
import { z } from 'zod';
import { backupId, catalogName, freeText, line, queryBoolean, queryInt, runId } from './fields.js';
import { RUN_STATUSES, TERMINAL_STATUSES } from '../restore/lifecycle.js';

export const RunStatusEnum = z.enum(RUN_STATUSES);

export const ProgressDoc = z.object({
  phase: z.string().describe('fetch, restore (data), indexes, constraints, post_restore, verify, swap, …'),
  percent: z.number().describe('of the whole run, phases weighted: it never counts the work still to come as done'),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  tablesDone: z.number(),
  tablesTotal: z.number(),
  rowsDone: z.number(),
  rowsTotal: z.number(),
  rowsPerSecond: z.number(),
  bytesPerSecond: z.number().describe('archive bytes per second over the last seconds'),
  itemsDone: z.number().describe('indexes and constraints started'),
  itemsTotal: z.number().describe('indexes and constraints in the archive'),
  etaSeconds: z.number().nullable().describe('seconds to the end of the run; null when there is no basis yet'),
  updatedAt: z.string(),
});
export type ProgressDoc = z.infer<typeof ProgressDoc>;

/** A safety check of a request, persisted on the run (`restore checks <run> --json`). */
export const CheckDoc = z.looseObject({
  code: z.string(),
  severity: z.enum(['blocking', 'warning', 'safe']),
  message: z.string(),
});
export type CheckDoc = z.infer<typeof CheckDoc>;

/** What a restore would do, per table, worked out before anything is written. */
export const PreviewDoc = z.looseObject({
  backupId: z.string(),
  backupTakenAt: z.string(),
  tables: z.array(
    z.looseObject({
      table: z.string(),
      rowsInBackup: z.number(),
      rowsInDestination: z.number().nullable().optional().describe('absent when not counted'),
      masking: z.array(z.string()).optional().describe('the masking rules applied, as "column: transform"'),
    }),
  ),
  masking: z
    .looseObject({ applied: z.boolean(), note: z.string() })
    .optional()
    .describe('whether the data is masked on its way to this destination'),
});
export type PreviewDoc = z.infer<typeof PreviewDoc>;

export const RunDoc = z.object({
  id: z.number(),
  status: RunStatusEnum,
  database: z.string(),
  source: z.object({ server: z.string(), backupId: z.string().nullable(), pointInTime: z.string().nullable() }),
  destination: z.object({
    server: z.string(),
    dbname: z.string(),
    tier: z.string(),
    /** What the user types back to confirm: `<server>/<dbname>`, or `RESTORE <database>` into production. */
    identifier: z.string(),
    target: z.string().describe('<server>/<dbname>: the database the run writes (replaces, if it exists)'),
  }),
  tables: z.array(z.string()).nullable(),
  requestedBy: z.string(),
  justification: z.string().nullable(),
  startAt: z.string().nullable(),
  approvalsRequired: z.number(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  phase: z.string().nullable(),
  progress: ProgressDoc.partial().passthrough(),
  checks: z.array(CheckDoc),
  preview: PreviewDoc.nullable(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  error: z.string().nullable(),
  errorStep: z.string().nullable(),
  previous: z
    .object({
      dbname: z.string(),
      expiresAt: z.string().nullable(),
      dropped: z.boolean(),
      sizeBytes: z
        .number()
        .nullable()
        .describe('size on the destination server (pg_database_size); null when dropped or not known'),
    })
    .nullable()
    .describe('the database the swap replaced, kept beside the destination (an undone run: its restored copy)'),
  undoneAt: z.string().nullable(),
  log: z.string().optional(),
});
export type RunDoc = z.infer<typeof RunDoc>;

export const RunRequest = z.object({
  database: catalogName('database'),
  // the server part is a catalog name and the database name at most 63 bytes (checked when the
  // destination is parsed); this bound only keeps megabytes out
  to: line(128).describe('<server> or <server>/<dbname>'),
  backupId: backupId.optional(),
  at: z.iso.datetime({ offset: true }).optional().describe('restore the newest backup taken at or before this time'),
  tables: z.array(line(300)).max(1000).optional(),
  startAt: z.iso.datetime({ offset: true }).optional(),
  justification: freeText(2000).optional(),
  execute: z.boolean().default(false).describe('false: a dry run that stops after the preview'),
  confirm: line(200).optional().describe('the destination identifier typed back exactly'),
  acknowledge: z
    .boolean()
    .optional()
    .describe('with execute: "I reviewed the impact" (the checks and the preview were read)'),
});
export type RunRequest = z.infer<typeof RunRequest>;

export const RunSubmitRequest = z.object({
  confirm: line(200).describe('the destination identifier typed back exactly'),
  acknowledge: z.boolean().describe('"I reviewed the impact": the checks and the preview were read'),
});
export type RunSubmitRequest = z.infer<typeof RunSubmitRequest>;

/** Step 0 of the wizard: a draft run, its database and destination chosen. */
export const RunDraftRequest = z.object({
  database: catalogName('database'),
  to: line(128).describe('<server> or <server>/<dbname>'),
  startAt: z.iso.datetime({ offset: true }).optional(),
  justification: freeText(2000).optional(),
});

/** Step 1: the source. Changing it resets the scope, checks, preview, confirmation and approvals. */
export const RunSourceRequest = z
  .object({
    backupId: backupId.optional(),
    at: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('the newest restorable backup taken at or before this time'),
  })
  .refine((s) => !(s.backupId && s.at), { message: 'give a backupId or a point in time (at), not both' });

/** Step 2: the scope. `all`, or tables of the backup. Changing it resets checks, preview, confirmation and approvals. */
export const RunScopeRequest = z.object({
  tables: z.union([z.literal('all'), z.array(line(300)).min(1).max(10_000)]),
});

export const RunChecksDoc = z.object({ checks: z.array(CheckDoc) });

export const RunIdParams = z.object({ id: runId });
export const RunShowQuery = z.object({ log: queryBoolean.default(false) });
export const RunListQuery = z.object({
  database: catalogName('database').optional(),
  status: RunStatusEnum.optional(),
  limit: queryInt(1, 500).default(50),
});
export const RunList = z.object({ runs: z.array(RunDoc) });
export type RunList = z.infer<typeof RunList>;

export const TERMINAL_RUN_STATUSES: ReadonlySet<string> = TERMINAL_STATUSES;

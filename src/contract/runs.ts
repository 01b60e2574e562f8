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
  waiting: z
    .string()
    .describe(
      "a queued run: what it waits for (its team's max_concurrent_restores, a run of its team queued earlier, its destination)",
    ),
  waitingFor: z.number().describe('a queued run waiting for its destination: the run restoring into it'),
});
export type ProgressDoc = z.infer<typeof ProgressDoc>;

/** A safety check of a request, persisted on the run (`restore checks <run> --json`). */
export const CHECK_SEVERITIES = ['blocking', 'warning', 'safe'] as const;
export type CheckSeverity = (typeof CHECK_SEVERITIES)[number];

export const CheckDoc = z.looseObject({
  code: z.string().describe('stable: names what the check looks for (src/restore/assess/checks.ts)'),
  severity: z.enum(CHECK_SEVERITIES).describe('blocking: execution is impossible; warning: needs the acknowledgement'),
  message: z.string(),
  hint: z.string().optional().describe('what to do about it (blocking and warning checks)'),
  details: z.record(z.string(), z.unknown()).optional().describe("the check's findings, for scripts"),
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
      rowsInDestination: z
        .number()
        .nullable()
        .optional()
        .describe('absent when not counted; null when not known (unreachable, or an estimate never made)'),
      rowsInDestinationEstimated: z
        .boolean()
        .optional()
        .describe("true: the planner's estimate (pg_class.reltuples), not a count"),
      inDestination: z
        .enum(['present', 'absent', 'unknown'])
        .optional()
        .describe('whether the destination has the table now (unknown: unreachable)'),
      masking: z.array(z.string()).optional().describe('the masking rules applied, as "column: transform"'),
    }),
  ),
  masking: z
    .looseObject({ applied: z.boolean(), note: z.string() })
    .optional()
    .describe('whether the data is masked on its way to this destination'),
  maskingPlan: z
    .array(
      z.looseObject({
        table: z.string(),
        column: z.string(),
        transform: z.string(),
        via: z.string().optional().describe('the parent table whose rule applies (partitions, inheritance)'),
      }),
    )
    .optional()
    .describe('every masked column; empty into production (a rollback is not masked)'),
  destination: z
    .looseObject({
      reachable: z.boolean(),
      exists: z.boolean().nullable().describe('null when unreachable'),
      note: z.string(),
    })
    .optional(),
  schema: z
    .looseObject({
      status: z.enum(['compared', 'tables_only', 'destination_absent', 'destination_unknown']),
      note: z.string(),
      tablesAdded: z.array(z.string()).describe('in the backup, not in the destination: the restore creates them'),
      tablesRemoved: z
        .array(z.string())
        .describe('in the destination, not in the backup: a whole-database restore drops them'),
      columns: z.array(
        z.looseObject({
          table: z.string(),
          column: z.string(),
          change: z.enum(['added', 'removed', 'changed']),
          backup: z.string().optional(),
          destination: z.string().optional(),
        }),
      ),
      objects: z
        .array(
          z.looseObject({
            change: z.enum(['added', 'removed', 'changed']),
            kind: z.string(),
            name: z.string(),
            table: z.string().optional(),
            fields: z.array(z.string()).optional(),
          }),
        )
        .optional()
        .describe(
          'every other object that differs (indexes, constraints, triggers, policies, functions, …), from the schema snapshots; absent when none or not compared',
        ),
    })
    .optional()
    .describe('schema differences between the backup and the destination now'),
  duration: z
    .looseObject({
      estimateMs: z.number().nullable().describe('null: no history to base it on'),
      basis: z.string().describe('e.g. "median of 3 past restores to dev-pg01 of 10–40 MB", or "no history …"'),
    })
    .optional(),
});
export type PreviewDoc = z.infer<typeof PreviewDoc>;

/** An approval or a rejection given to a run, as it stands (a voided one says why). */
export const ApprovalDoc = z.object({
  approver: z.string(),
  decision: z.enum(['approve', 'reject']),
  comment: z.string().nullable(),
  override: z.boolean().describe('given by a dba-admin through policy.dba_admin_can_approve'),
  at: z.string(),
  counts: z.boolean().describe('counts towards approvalsRequired: standing, of the current plan, a distinct approver'),
  voidedAt: z.string().nullable(),
  voidReason: z.string().nullable(),
});
export type ApprovalDoc = z.infer<typeof ApprovalDoc>;

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
  approvalsReceived: z.number().describe('approvals that count (approvals[].counts)'),
  approvalsMissing: z.number(),
  ownerTeam: z.string(),
  approvers: z
    .array(z.string())
    .describe(
      "who may give the missing approvals: the owning team's approvers, the requester and those who approved left out",
    ),
  approvals: z.array(ApprovalDoc),
  planHash: z.string().nullable().describe('the hash of the plan approvals approve; send it back with an approval'),
  submittedAt: z.string().nullable(),
  approvedAt: z.string().nullable(),
  expiresAt: z.string().nullable().describe('a run still waiting for its requester or its approvers expires then'),
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
  at: z.iso
    .datetime({ offset: true })
    .optional()
    .describe(
      'on a database whose server has physical backups (pgbackrest): the database as it was at this time, from its backup (trigger pitr) prepared beforehand on a worker with POST /api/v1/backups/as-at (409 with that hint while none is completed or verified: a recovery never runs inside this request); otherwise the newest backup taken at or before this time',
    ),
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
      .describe(
        'on a database whose server has physical backups (pgbackrest): the database as it was at this time, from its backup (trigger pitr) prepared beforehand on a worker with POST /api/v1/backups/as-at (409 with that hint while none is completed or verified: a recovery never runs inside this request); otherwise the newest backup taken at or before this time',
      ),
  })
  .refine((s) => !(s.backupId && s.at), { message: 'give a backupId or a point in time (at), not both' });

/** Step 2: the scope. `all`, or tables of the backup. Changing it resets checks, preview, confirmation and approvals. */
export const RunScopeRequest = z.object({
  tables: z.union([z.literal('all'), z.array(line(300)).min(1).max(10_000)]),
});

export const RunChecksDoc = z.object({ checks: z.array(CheckDoc) });
export const RunApproveRequest = z.object({
  comment: freeText(2000).optional(),
  planHash: line(100)
    .optional()
    .describe('the planHash of the run as it was reviewed: refused (409) if the plan changed since'),
});
export type RunApproveRequest = z.infer<typeof RunApproveRequest>;

export const RunRejectRequest = z.object({
  comment: freeText(2000).describe('why: required, kept with the run and in the audit trail'),
});
export type RunRejectRequest = z.infer<typeof RunRejectRequest>;

export const RunIdParams = z.object({ id: runId });
export const RunShowQuery = z.object({ log: queryBoolean.default(false) });
export const RunListQuery = z.object({
  database: catalogName('database').optional(),
  status: RunStatusEnum.optional(),
  limit: queryInt(1, 500).default(50),
  awaitingMe: queryBoolean
    .default(false)
    .describe('only runs waiting for an approval the caller may give (not their own, not approved by them yet)'),
});
export const RunList = z.object({ runs: z.array(RunDoc) });
export type RunList = z.infer<typeof RunList>;

export const TERMINAL_RUN_STATUSES: ReadonlySet<string> = TERMINAL_STATUSES;

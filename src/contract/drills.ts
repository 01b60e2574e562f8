// Drill documents of the API, shared by the server and the CLI.
import { z } from 'zod';
import { DRILL_STATUSES } from '../drills/lifecycle.js';
import { backupId, catalogName, queryBoolean, queryInt, runId } from './fields.js';

export const DrillCheck = z.object({
  name: z.string(),
  sql: z.string(),
  expect: z.unknown().optional(),
  value: z.unknown(),
  passed: z.boolean(),
  error: z.string().optional(),
});

export const DrillDoc = z.object({
  id: z.number(),
  database: z.string(),
  backupId: z.string(),
  target: z.string(),
  scratchDatabase: z.string(),
  status: z.enum(DRILL_STATUSES),
  trigger: z.string(),
  requestedBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  restoreMs: z.number().nullable(),
  bytes: z.number().nullable(),
  rows: z.number().nullable(),
  checks: z.array(DrillCheck),
  error: z.string().nullable(),
  errorStep: z.string().nullable(),
  /** The scratch database kept after a failure (drill.keep_on_failure). */
  keptDatabase: z.string().nullable(),
  evidence: z
    .object({
      storage: z.string().nullable(),
      prefix: z.string(),
      files: z.record(z.string(), z.string()),
      audit: z.object({ seq: z.number(), hash: z.string() }),
    })
    .nullable(),
});
export type DrillDoc = z.infer<typeof DrillDoc>;

export const DrillDetail = DrillDoc.extend({ log: z.string().optional() });
export type DrillDetail = z.infer<typeof DrillDetail>;

export const DrillRunRequest = z.object({
  database: catalogName('database'),
  backupId: backupId.optional(),
  target: catalogName('server').optional(),
});
export const DrillListQuery = z.object({
  database: catalogName('database').optional(),
  limit: queryInt(1, 1000).default(100),
});
export const DrillList = z.object({ drills: z.array(DrillDoc) });
export const DrillIdParams = z.object({ id: runId });
export const DrillShowQuery = z.object({
  log: queryBoolean.default(false),
  /** Seconds to wait for the drill to finish (passed or failed) before answering. */
  wait: queryInt(0, 60).optional(),
});

/** The evidence pack as stored (base64 per file), and what the catalog recorded of it. */
export const DrillEvidence = z.object({
  drill: z.number(),
  prefix: z.string(),
  files: z.record(z.string(), z.string()),
  recorded: z.object({
    files: z.record(z.string(), z.string()),
    audit: z.object({ seq: z.number(), hash: z.string() }),
    /** The hash the audit trail holds for that event now (null: no such event). */
    auditHashInTrail: z.string().nullable(),
  }),
});
export type DrillEvidence = z.infer<typeof DrillEvidence>;

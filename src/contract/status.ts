// GET /api/v1/status (`lifeboat status`): per database the caller may see, how recoverable it is
// now — newest verified backup and its age, RPO target and achieved, last drill and its verdict,
// measured restore time against the RTO, and the open SLO breaches. Shared by server and CLI.
import { z } from 'zod';
import { SLO_KINDS } from '../slo/evaluate.js';

export const DatabaseStatus = z.object({
  database: z.string(),
  owner: z.string(),
  /** The newest verified backup; `at` is when it started (the point in time it restores to). */
  newestVerifiedBackup: z.object({ id: z.string(), at: z.string(), ageSeconds: z.number() }).nullable(),
  rpo: z.object({
    /** As written in lifeboat.yaml (null: none set). */
    target: z.string().nullable(),
    targetSeconds: z.number().nullable(),
    /** What a restore now would lose: the age of the newest verified backup (null: none). */
    achievedSeconds: z.number().nullable(),
    /** null when there is no target. */
    met: z.boolean().nullable(),
  }),
  lastDrill: z
    .object({
      id: z.number(),
      status: z.string(),
      finishedAt: z.string().nullable(),
      restoreSeconds: z.number().nullable(),
    })
    .nullable(),
  restoreTime: z.object({
    /** The last measured restore: the last drill's restore step or the last completed restore run, whichever is newer. */
    measuredSeconds: z.number().nullable(),
    from: z.enum(['drill', 'restore']).nullable(),
    /** The drill or run id it was measured by. */
    id: z.number().nullable(),
    rto: z.string().nullable(),
    rtoSeconds: z.number().nullable(),
    met: z.boolean().nullable(),
  }),
  breaches: z.array(z.object({ slo: z.enum(SLO_KINDS), openedAt: z.string(), message: z.string() })),
});
export type DatabaseStatus = z.infer<typeof DatabaseStatus>;

export const StatusResponse = z.object({
  /** When it was read. */
  at: z.string(),
  databases: z.array(DatabaseStatus),
});
export type StatusResponse = z.infer<typeof StatusResponse>;

// Identity and audit documents of the API.
import { z } from 'zod';
import { line, queryInt } from './fields.js';

export const WhoAmIResponse = z.object({
  user: z.string(),
  email: z.string(),
  roles: z.array(z.string()),
  teams: z.array(z.string()),
  approverOf: z.array(z.string()),
  via: z.string(),
  may: z
    .array(z.string())
    .optional()
    .describe(
      "the actions (src/access/actions.ts) the policy allows on some team's databases or system-wide: what a client offers",
    ),
});
export type WhoAmIResponse = z.infer<typeof WhoAmIResponse>;

export const AuditEventDoc = z.object({
  seq: z.number(),
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  outcome: z.enum(['success', 'failure', 'denied']),
  details: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEventDoc = z.infer<typeof AuditEventDoc>;

export const AuditQuery = z.object({
  after: queryInt(0, Number.MAX_SAFE_INTEGER).optional().describe('return events after this sequence number'),
  limit: queryInt(1, 1000).default(100),
  since: z.iso.datetime({ offset: true }).optional(),
  subjectType: line(63).optional(),
  subjectId: line(200).optional(),
  actor: line(200).optional(),
});

export const AuditPage = z.object({
  events: z.array(AuditEventDoc),
  next: z.number().nullable().describe('pass as `after` for the next page; null at the end'),
});
export type AuditPage = z.infer<typeof AuditPage>;

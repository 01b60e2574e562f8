// Identity and audit documents of the API.
import { z } from 'zod';

export const WhoAmIResponse = z.object({
  user: z.string(),
  email: z.string(),
  roles: z.array(z.string()),
  teams: z.array(z.string()),
  approverOf: z.array(z.string()),
  via: z.string(),
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
  after: z.coerce.number().int().min(0).optional().describe('return events after this sequence number'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  since: z.iso.datetime({ offset: true }).optional(),
  subjectType: z.string().optional(),
  subjectId: z.string().optional(),
  actor: z.string().optional(),
});

export const AuditPage = z.object({
  events: z.array(AuditEventDoc),
  next: z.number().nullable().describe('pass as `after` for the next page; null at the end'),
});
export type AuditPage = z.infer<typeof AuditPage>;

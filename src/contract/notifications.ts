// Notification documents of the API (`/api/v1/notifications`), shared by the server and the CLI.
// A message's payload is what was (or will be) sent — never a secret: channel URLs, webhook
// secrets and SMTP passwords stay in lifeboat.yaml's references.
import { z } from 'zod';
import { catalogName, queryInt } from './fields.js';

export const NotificationStatusEnum = z.enum(['pending', 'delivered', 'dead']);

export const NotificationAttemptDoc = z.object({
  at: z.string(),
  attempt: z.number(),
  outcome: z.enum(['delivered', 'retry', 'dead']),
  code: z.number().optional().describe('the HTTP status or SMTP reply code'),
  error: z.string().optional().describe('what went wrong, redacted'),
});

export const NotificationDoc = z.object({
  id: z.number(),
  status: NotificationStatusEnum,
  channel: z.string(),
  kind: z.enum(['slack', 'teams', 'email', 'webhook']),
  event: z.string().describe('restore.completed, backup.failed, …'),
  subject: z.string().describe('run:<id> or backup:<id>'),
  idempotencyKey: z.string().describe('the same for every attempt: webhook-id, Message-ID'),
  attempts: z.number(),
  maxAttempts: z.number(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
});
export type NotificationDoc = z.infer<typeof NotificationDoc>;

export const NotificationDetail = NotificationDoc.extend({
  history: z.array(NotificationAttemptDoc),
  payload: z.unknown().describe('what is sent (the JSON body, or the email)'),
});
export type NotificationDetail = z.infer<typeof NotificationDetail>;

export const NotificationIdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a notification id: a positive decimal number')
    .transform(Number),
});
export const NotificationListQuery = z.object({
  status: NotificationStatusEnum.optional(),
  limit: queryInt(1, 500).default(100),
});
export const NotificationList = z.object({ notifications: z.array(NotificationDoc) });
export type NotificationList = z.infer<typeof NotificationList>;

export const NotificationTestParams = z.object({ channel: catalogName('channel') });
export const NotificationTestResponse = z.object({
  channel: z.string(),
  status: NotificationStatusEnum,
  attempt: NotificationAttemptDoc.optional(),
});
export type NotificationTestResponse = z.infer<typeof NotificationTestResponse>;

// A message as a generic webhook body, schema version 1 (documented in README.md,
// "Notifications"): `{"version":1,"type":"restore.completed","id":"msg_…","timestamp":"…",
// "data":{…the event's facts…,"title","summary","url"}}`. `id` is the idempotency key, also sent
// as the webhook-id header; `timestamp` is when the event happened. Pure.
import type { Message } from '../message.js';

export const WEBHOOK_SCHEMA_VERSION = 1;

export interface WebhookBody {
  version: typeof WEBHOOK_SCHEMA_VERSION;
  type: string;
  id: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export function renderWebhook(
  m: Message,
  key: string,
  event: { createdAt: Date; data: object },
  redactText: (t: string) => string,
): WebhookBody {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event.data)) data[k] = typeof v === 'string' ? redactText(v) : v;
  return {
    version: WEBHOOK_SCHEMA_VERSION,
    type: m.type,
    id: key,
    timestamp: event.createdAt.toISOString(),
    data: {
      ...data,
      severity: m.severity,
      critical: m.critical,
      title: m.title,
      summary: m.summary,
      ...(m.link ? { url: m.link.url } : {}),
    },
  };
}

// What an answer means for a message: delivered, try again (when), or dead (the endpoint is
// gone or will never take it). Pure, per channel kind, tested on every answer the channels give.
//   - Slack answers 200 "ok"; errors are plain strings: 404 no_service / channel_not_found,
//     410 channel_is_archived, 403 invalid_token / action_prohibited, 400 invalid_payload.
//   - Teams Workflows answer 202 Accepted (200 from some tenants).
//   - a generic webhook accepts with any 2xx.
//   - SMTP: 2xx accepted, 4xx transient, 5xx permanent.
// 429 and 5xx are always worth another attempt; 404 and 410 never are.
import type { NotificationChannel } from '../catalog/types.js';

export type ChannelKind = NotificationChannel['type'];

export type Outcome =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; why: string; retryAfterMs?: number }
  | { outcome: 'dead'; why: string };

export interface HttpAnswer {
  status: number;
  /** The body as text, already cut short and redacted by the caller. */
  body: string;
  retryAfterMs?: number;
}

export function classifyHttp(kind: Exclude<ChannelKind, 'email'>, answer: HttpAnswer): Outcome {
  const { status } = answer;
  const said = answer.body.trim() === '' ? '' : `: ${answer.body.trim()}`;
  const why = `HTTP ${status}${said}`;
  if (status === 429) {
    return answer.retryAfterMs === undefined
      ? { outcome: 'retry', why }
      : { outcome: 'retry', why, retryAfterMs: answer.retryAfterMs };
  }
  if (status === 404 || status === 410) return { outcome: 'dead', why: `${why} (the endpoint is gone)` };
  if (status >= 500) return { outcome: 'retry', why };
  switch (kind) {
    case 'slack':
      if (status === 200) return { outcome: 'delivered' };
      // invalid_token, action_prohibited, invalid_payload…: the same message would fail the same way
      if (status === 403 || status === 400 || status === 401) return { outcome: 'dead', why };
      return { outcome: 'retry', why };
    case 'teams':
      if (status === 200 || status === 202) return { outcome: 'delivered' };
      if (status === 400 || status === 401 || status === 403) return { outcome: 'dead', why };
      return { outcome: 'retry', why };
    case 'webhook':
      if (status >= 200 && status < 300) return { outcome: 'delivered' };
      // a receiver may reject for a while (a deploy, a rotating key): Standard Webhooks retries
      return { outcome: 'retry', why };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** An SMTP failure by its reply code (nodemailer's `responseCode`); none: a connection failure. */
export function classifySmtp(responseCode: number | undefined, message: string): Outcome {
  if (responseCode !== undefined && responseCode >= 500 && responseCode < 600) {
    return { outcome: 'dead', why: `SMTP ${responseCode}: ${message}` };
  }
  return { outcome: 'retry', why: responseCode === undefined ? message : `SMTP ${responseCode}: ${message}` };
}

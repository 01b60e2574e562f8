// Standard Webhooks signing (https://www.standardwebhooks.com): the receiver gets `webhook-id`
// (the idempotency key), `webhook-timestamp` (Unix seconds of the attempt) and
// `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, and verifies with any
// off-the-shelf implementation. A secret written as `whsec_<base64>` is the scheme's own form
// (the key is the decoded bytes); any other secret is used as its UTF-8 bytes.
import { createHmac } from 'node:crypto';

export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret);
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', signingKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function webhookHeaders(
  id: string,
  now: Date,
  body: string,
  secret: string | undefined,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
  if (secret !== undefined) headers['webhook-signature'] = signWebhook(secret, id, timestamp, body);
  return headers;
}

// Sends one stored message to its channel and says what the answer means (classify.ts). The
// narrow interface of every channel: `send(channel, message) → attempt`. HTTP channels post with
// Node's fetch, email goes through nodemailer's SMTP transport. Whatever comes back (an answer's
// body, a driver's error) is cut short and redacted of the channel's secrets before it is kept:
// a webhook URL is itself a secret (Slack's and Teams' carry their token in the path).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import nodemailer from 'nodemailer';
import type { NotificationChannel } from '../catalog/types.js';
import { redact, type Secret } from '../lib/secret.js';
import { VERSION } from '../version.js';
import { classifyHttp, classifySmtp, type Outcome } from './classify.js';
import type { EmailContent } from './render/email.js';
import { parseRetryAfter } from './retry.js';
import { webhookHeaders } from './signature.js';

export interface Attempt {
  outcome: Outcome;
  /** The HTTP status or SMTP reply code, when there was an answer. */
  code?: number;
}

export interface SendOptions {
  timeoutMs: number;
  now: () => Date;
}

const ANSWER_MAX = 300;

export async function sendMessage(
  channel: NotificationChannel,
  message: { key: string; payload: unknown },
  opts: SendOptions,
): Promise<Attempt> {
  const secrets = channelSecrets(channel);
  try {
    if (channel.type === 'email') return await sendEmail(channel, message.payload as EmailContent, opts);
    return await sendHttp(channel, message, opts, secrets);
  } catch (err) {
    return { outcome: { outcome: 'retry', why: redact(describe(err), secrets) } };
  }
}

async function sendHttp(
  channel: Exclude<NotificationChannel, { type: 'email' }>,
  message: { key: string; payload: unknown },
  opts: SendOptions,
  secrets: Secret[],
): Promise<Attempt> {
  const body = JSON.stringify(message.payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `Lifeboat/${VERSION}`,
  };
  if (channel.type === 'webhook')
    Object.assign(headers, webhookHeaders(message.key, opts.now(), body, channel.secret?.reveal()));
  const res = await fetch(channel.url.reveal(), {
    method: 'POST',
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const text = await res.text().catch(() => '');
  const answer = redact(text.length > ANSWER_MAX ? `${text.slice(0, ANSWER_MAX)}…` : text, secrets);
  const retryAfterMs = res.status === 429 ? parseRetryAfter(res.headers.get('retry-after'), opts.now()) : undefined;
  return {
    outcome: classifyHttp(channel.type, {
      status: res.status,
      body: answer,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    }),
    code: res.status,
  };
}

async function sendEmail(
  channel: Extract<NotificationChannel, { type: 'email' }>,
  mail: EmailContent,
  opts: SendOptions,
): Promise<Attempt> {
  const { smtp } = channel;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    // not `secure`: the connection must be upgraded with STARTTLS, never sent in the clear
    requireTLS: !smtp.secure,
    ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: smtp.password?.reveal() ?? '' } }),
    ...(smtp.ca === undefined ? {} : { tls: { ca: readFileSync(smtp.ca) } }),
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  try {
    await transport.sendMail({
      from: channel.from ?? `Lifeboat <lifeboat@${hostname()}>`,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
    });
    return { outcome: { outcome: 'delivered' }, code: 250 };
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    const why = redact(describe(err), channelSecrets(channel));
    return { outcome: classifySmtp(code, why), ...(code === undefined ? {} : { code }) };
  } finally {
    transport.close();
  }
}

function channelSecrets(channel: NotificationChannel): Secret[] {
  switch (channel.type) {
    case 'email':
      return channel.smtp.password ? [channel.smtp.password] : [];
    case 'webhook':
      return channel.secret ? [channel.url, channel.secret] : [channel.url];
    case 'slack':
    case 'teams':
      return [channel.url];
    default: {
      const never: never = channel;
      return never;
    }
  }
}

/** A failure without an answer, said without the URL (fetch's cause names the address only). */
function describe(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'no answer in time';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `connection failed: ${cause.code}`;
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > ANSWER_MAX ? `${msg.slice(0, ANSWER_MAX)}…` : msg;
}

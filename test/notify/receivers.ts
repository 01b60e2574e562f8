// Real peers on loopback for the notification tests: an HTTP server posing as Slack, Teams or a
// webhook receiver (answers scripted per path), and an SMTP server (the smtp-server package) with
// STARTTLS on a throwaway self-signed certificate and password authentication.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { selfSignedCertificate } from '../harness/certificate.js';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
}

export interface HttpReceiver {
  url: string;
  port: number;
  received: Received[];
  /** Answers for `path`, in order; after the last, `fallback`. */
  script(path: string, answers: Answer[], fallback?: Answer): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(port = 0): Promise<HttpReceiver> {
  const received: Received[] = [];
  const scripts = new Map<string, { answers: Answer[]; fallback: Answer }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const s = scripts.get(path);
      const a = s?.answers.shift() ?? s?.fallback ?? { status: 200, body: 'ok' };
      const send = () => {
        res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
        res.end(a.body ?? '');
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    received,
    script(path, answers, fallback = { status: 200, body: 'ok' }) {
      scripts.set(path, { answers: [...answers], fallback });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
  secured: boolean;
}

export interface SmtpReceiver {
  port: number;
  /** PEM of the CA (the self-signed certificate) the client must trust. */
  caFile: string;
  mails: Mail[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(auth: { user: string; password: string }): Promise<SmtpReceiver> {
  const dir = mkdtempSync(join(tmpdir(), 'lb-smtp-'));
  const { key, cert } = selfSignedCertificate(dir);
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    key: readFileSync(key),
    cert: readFileSync(cert),
    authMethods: ['PLAIN', 'LOGIN'],
    // credentials only over TLS (the default), so a client that skipped STARTTLS fails to log in
    onAuth(a, _session, cb) {
      if (a.username === auth.user && a.password === auth.password) cb(null, { user: a.username });
      else cb(new Error('invalid credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
          secured: session.secure,
        });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, caFile: cert, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

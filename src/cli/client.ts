// The CLI's HTTP client for the Lifeboat API: bearer token from LIFEBOAT_TOKEN, JSON in and out,
// and the API's error document turned back into a LifeboatError (so exit codes follow it).
// node:http rather than fetch: fetch loads undici on first use (~35 ms) and its idle keep-alive
// connection held every command's exit back by ~0.1 s; a CLI makes one or two requests.
import type { OutgoingHttpHeaders } from 'node:http';
import { type ErrorCode, LifeboatError } from '../errors.js';
import type { CliContext } from './context.js';

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export function apiClient(ctx: Pick<CliContext, 'url' | 'token'>): ApiClient {
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (ctx.token) headers.authorization = `Bearer ${ctx.token.reveal()}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: { status: number; ok: boolean; text: string };
      try {
        res = await send(
          new URL(`${ctx.url}${path}`),
          method,
          headers,
          body === undefined ? undefined : JSON.stringify(body),
        );
      } catch (err) {
        throw new LifeboatError(
          'store_unavailable',
          `unable to reach Lifeboat at ${ctx.url}: ${(err as Error).message}`,
          {
            hint: 'start it with `lifeboat start`, or point --url / LIFEBOAT_URL at a running server',
          },
        );
      }
      const text = res.text;
      let doc: unknown;
      try {
        doc = text ? JSON.parse(text) : undefined;
      } catch {
        doc = undefined;
      }
      if (!res.ok) {
        const e = (doc as { error?: { code?: string; message?: string; hint?: string; details?: unknown } } | undefined)
          ?.error;
        if (!ctx.token && res.status === 401) {
          throw new LifeboatError('unauthenticated', e?.message ?? 'this API needs a bearer token', {
            hint: 'set LIFEBOAT_TOKEN to a token from `lifeboat token issue <user>`',
          });
        }
        throw new LifeboatError((e?.code ?? 'internal') as ErrorCode, e?.message ?? `HTTP ${res.status}`, {
          hint: e?.hint,
          details: e?.details,
          status: res.status,
        });
      }
      return doc as T;
    },
  };
}

/** One request on a connection of its own (closed after the answer, so the CLI exits at once). */
async function send(
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: string | undefined,
): Promise<{ status: number; ok: boolean; text: string }> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

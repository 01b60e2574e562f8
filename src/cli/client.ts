// The CLI's HTTP client for the Lifeboat API: bearer token from LIFEBOAT_TOKEN, JSON in and out,
// and the API's error document turned back into a LifeboatError (so exit codes follow it).
// node:http rather than fetch: fetch loads undici on first use (~35 ms) and its idle keep-alive
// connection held every command's exit back by ~0.1 s; a CLI makes one or two requests.
import type { OutgoingHttpHeaders } from 'node:http';
import { type ErrorCode, LifeboatError } from '../errors.js';
import type { CliContext } from './context.js';

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * Follows a server-sent event stream: `onEvent` gets each event's name and data, and stops the
   * stream by returning true. Resolves when stopped or when the server ends the stream.
   */
  events(path: string, onEvent: (event: string, data: string) => boolean): Promise<void>;
}

const UNREACHABLE_HINT = 'start it with `lifeboat start`, or point --url / LIFEBOAT_URL at a running server';

export function apiClient(ctx: Pick<CliContext, 'url' | 'token'>): ApiClient {
  const headers = (accept: string, json: boolean): Record<string, string> => ({
    accept,
    ...(ctx.token ? { authorization: `Bearer ${ctx.token.reveal()}` } : {}),
    ...(json ? { 'content-type': 'application/json' } : {}),
  });
  const unreachable = (err: Error) =>
    new LifeboatError('store_unavailable', `unable to reach Lifeboat at ${ctx.url}: ${err.message}`, {
      hint: UNREACHABLE_HINT,
    });
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: { status: number; text: string };
      try {
        res = await send(
          new URL(`${ctx.url}${path}`),
          method,
          headers('application/json', body !== undefined),
          body === undefined ? undefined : JSON.stringify(body),
        );
      } catch (err) {
        throw unreachable(err as Error);
      }
      const doc = parseJson(res.text);
      if (res.status < 200 || res.status >= 300) throw apiError(ctx, res.status, doc);
      return doc as T;
    },

    async events(path, onEvent) {
      const url = new URL(`${ctx.url}${path}`);
      const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
      await new Promise<void>((resolve, reject) => {
        let stopped = false;
        const stop = (err?: unknown) => {
          if (stopped) return;
          stopped = true;
          req.destroy();
          if (err === undefined) resolve();
          else reject(err);
        };
        const req = request(
          url,
          { method: 'GET', headers: headers('text/event-stream', false), agent: false },
          (res) => {
            const status = res.statusCode ?? 0;
            res.setEncoding('utf8');
            let buf = '';
            if (status < 200 || status >= 300) {
              res.on('data', (c: string) => (buf += c));
              res.on('end', () => stop(apiError(ctx, status, parseJson(buf))));
              return;
            }
            res.on('data', (chunk: string) => {
              buf += chunk;
              for (let end = buf.indexOf('\n\n'); end !== -1 && !stopped; end = buf.indexOf('\n\n')) {
                const block = buf.slice(0, end);
                buf = buf.slice(end + 2);
                let event = 'message';
                const data: string[] = [];
                for (const line of block.split('\n')) {
                  if (line.startsWith('event:')) event = line.slice(6).trim();
                  else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
                }
                try {
                  if (onEvent(event, data.join('\n'))) stop();
                } catch (err) {
                  stop(err);
                }
              }
            });
            res.on('end', () => stop());
            res.on('error', (err) => stop(unreachable(err)));
          },
        );
        req.on('error', (err) => stop(unreachable(err)));
        req.end();
      });
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The API's error document as a LifeboatError (so exit codes follow it). */
function apiError(ctx: Pick<CliContext, 'token'>, status: number, doc: unknown): LifeboatError {
  const e = (doc as { error?: { code?: string; message?: string; hint?: string; details?: unknown } } | undefined)
    ?.error;
  if (!ctx.token && status === 401) {
    return new LifeboatError('unauthenticated', e?.message ?? 'this API needs a bearer token', {
      hint: 'set LIFEBOAT_TOKEN to a token from `lifeboat token issue <user>`',
    });
  }
  return new LifeboatError((e?.code ?? 'internal') as ErrorCode, e?.message ?? `HTTP ${status}`, {
    hint: e?.hint,
    details: e?.details,
    status,
  });
}

/** One request on a connection of its own (closed after the answer, so the CLI exits at once). */
async function send(
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The CLI's HTTP client for the Lifeboat API: bearer token from LIFEBOAT_TOKEN, JSON in and out,
// and the API's error document turned back into a LifeboatError (so exit codes follow it).
// node:http rather than fetch: fetch loads undici on first use (~35 ms) and its idle keep-alive
// connection held every command's exit back by ~0.1 s; a CLI makes one or two requests.
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { type ErrorCode, LifeboatError } from '../errors.js';
import type { CliContext } from './context.js';

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * Follows a server-sent event stream: `onEvent` gets each event's name and data, and stops the
   * stream by returning true. Resolves when stopped or when the server ends the stream.
   */
  events(path: string, onEvent: (event: string, data: string) => boolean): Promise<void>;
  /** Sends a JSON request and resolves with the (successful) response's body as a stream. */
  stream(method: string, path: string, body: unknown): Promise<IncomingMessage>;
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
      let text: string;
      let status: number;
      try {
        const { res } = await open(
          new URL(`${ctx.url}${path}`),
          method,
          headers('application/json', body !== undefined),
          body === undefined ? undefined : JSON.stringify(body),
        );
        status = res.statusCode ?? 0;
        text = await readText(res);
      } catch (err) {
        throw unreachable(err as Error);
      }
      const doc = parseJson(text);
      if (status < 200 || status >= 300) throw apiError(ctx, status, doc);
      return doc as T;
    },

    async stream(method, path, body) {
      let res: IncomingMessage;
      try {
        ({ res } = await open(
          new URL(`${ctx.url}${path}`),
          method,
          headers('application/octet-stream, application/json', true),
          JSON.stringify(body),
        ));
      } catch (err) {
        throw unreachable(err as Error);
      }
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) throw apiError(ctx, status, parseJson(await readText(res)));
      return res;
    },

    async events(path, onEvent) {
      let opened: { req: ClientRequest; res: IncomingMessage };
      try {
        opened = await open(new URL(`${ctx.url}${path}`), 'GET', headers('text/event-stream', false));
      } catch (err) {
        throw unreachable(err as Error);
      }
      const { req, res } = opened;
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) throw apiError(ctx, status, parseJson(await readText(res)));
      await new Promise<void>((resolve, reject) => {
        let stopped = false;
        const stop = (err?: unknown) => {
          if (stopped) return;
          stopped = true;
          req.destroy();
          if (err === undefined) resolve();
          else reject(err);
        };
        res.setEncoding('utf8');
        let buf = '';
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

/**
 * Sends one request on a connection of its own (closed after the answer, so the CLI exits at
 * once) and resolves with the response as soon as its head has arrived.
 */
async function open(
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body?: string,
): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => resolve({ req, res }));
    req.on('error', reject);
    req.end(body);
  });
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

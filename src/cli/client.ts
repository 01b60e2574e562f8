// The CLI's HTTP client for the Lifeboat API: bearer token from LIFEBOAT_TOKEN, JSON in and out,
// and the API's error document turned back into a LifeboatError (so exit codes follow it).
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
      let res: Response;
      try {
        res = await fetch(`${ctx.url}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        throw new LifeboatError(
          'store_unavailable',
          `unable to reach Lifeboat at ${ctx.url}: ${(err as Error).cause ? String((err as Error).cause) : (err as Error).message}`,
          {
            hint: 'start it with `lifeboat start`, or point --url / LIFEBOAT_URL at a running server',
          },
        );
      }
      const text = await res.text();
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

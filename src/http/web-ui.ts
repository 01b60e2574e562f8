// The web UI's files (built by Vite into dist/ui, see ui/vite.config.ts), served at `/` by hand
// rather than with @fastify/static: a handful of prebuilt files, read once at start-up, each with
// its content type. Hashed assets are cached for a year; index.html is revalidated every time and
// answers every other GET outside /api/ (the UI routes in the browser: history API fallback).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './app.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** dist/ui beside the compiled server (dist/http → dist/ui), or from the sources (src/http → dist/ui). */
export function defaultUiDir(): string | undefined {
  const candidates = ['../ui', '../../dist/ui'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

interface UiFile {
  body: Buffer;
  type: string;
  immutable: boolean;
}

function readTree(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const url = `/${relative(dir, path).split(sep).join('/')}`;
        files.set(url, {
          body: readFileSync(path),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
          immutable: url.startsWith('/assets/'),
        });
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * The UI's files: `/assets/*` as a route (it overlaps no API path), and `fallback` for the
 * not-found handler (src/http/errors.ts): index.html for a GET of any other path outside /api/,
 * so that no wildcard route ever shadows an API path (a refused API path keeps its own error).
 */
export function webUi(dir: string | undefined): {
  install: (app: App) => void;
  fallback: (req: FastifyRequest, reply: FastifyReply) => boolean;
} {
  const files = dir && existsSync(join(dir, 'index.html')) ? readTree(dir) : new Map<string, UiFile>();
  const index = files.get('/index.html');
  const send = (reply: FastifyReply, file: UiFile) =>
    reply
      .header('content-type', file.type)
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(file.body);
  return {
    install(app) {
      app.get('/assets/*', { schema: { hide: true } }, async (req, reply) => {
        const file = files.get(req.url.split('?')[0]!);
        if (!file) return reply.callNotFound();
        return send(reply, file);
      });
    },
    fallback(req, reply) {
      const path = req.url.split('?')[0]!;
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (path === '/api' || path.startsWith('/api/') || path.startsWith('/assets/')) return false;
      const file = files.get(path);
      if (file && path !== '/index.html') {
        void send(reply, file);
        return true;
      }
      if (extname(path) !== '') return false;
      if (!index) {
        void reply
          .status(404)
          .header('content-type', 'text/plain; charset=utf-8')
          .send('The web UI is not built: run `npm run build` (it writes dist/ui).\n');
        return true;
      }
      void send(reply, index);
      return true;
    },
  };
}

// The web UI's files at `/` (src/http/web-ui.ts): content types, caching, the history fallback to
// index.html, and /api/* untouched (an unknown API path is still the JSON 404).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { catalogFrom } from '../harness/app.js';
import { freshStore } from '../harness/store.js';
import { issueToken } from '../../src/access/tokens.js';

let token = '';

async function appWith(uiDir: string | undefined) {
  const store = await freshStore();
  token = (await issueToken(store.db, { user: 'jsmith', actor: 'test' })).token;
  return buildApp({
    db: store.db,
    queue: undefined,
    catalog: catalogFrom(),
    startedAt: new Date(),
    publicUrl: 'http://127.0.0.1:7420',
    logger: silentLogger(),
    uiDir,
  });
}

describe('the web UI at /', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-ui-files-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Lifeboat</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');

  it('serves index.html for / and every client route, revalidated each time', async () => {
    const app = await appWith(dir);
    for (const url of ['/', '/restore/new?run=3', '/runs/12', '/sign-in?code=lbc_x']) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.statusCode, res.headers['content-type'], res.headers['cache-control']]).toEqual([
        url,
        200,
        'text/html; charset=utf-8',
        'no-cache',
      ]);
      expect(res.body).toBe('<!doctype html><title>Lifeboat</title>');
    }
  });

  it('serves hashed assets with their type, cached for a year; a missing asset is a 404', async () => {
    const app = await appWith(dir);
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect([js.statusCode, js.headers['content-type'], js.headers['cache-control'], js.body]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
      'console.log(1)',
    ]);
    const css = await app.inject({ method: 'GET', url: '/assets/index-abc123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const missing = await app.inject({ method: 'GET', url: '/assets/index-gone.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('leaves /api/* alone: an unknown API path is the JSON 404, the API still needs a token', async () => {
    const app = await appWith(dir);
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(anonymous.statusCode).toBe(401);
    const unknown = await app.inject({
      method: 'GET',
      url: '/api/v1/nothing-here',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('no route GET /api/v1/nothing-here');
    const whoami = await app.inject({ method: 'GET', url: '/api/v1/whoami' });
    expect(whoami.statusCode).toBe(401);
  });

  it('says how to build the UI when it is not built', async () => {
    const app = await appWith(join(dir, 'not-built'));
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('The web UI is not built: run `npm run build` (it writes dist/ui).\n');
  });
});

// Every error leaves the API as {"error":{"code","message","hint"}}; unknown failures are a 500
// with a correlation id and never a stack trace.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LifeboatError } from '../../src/errors.js';
import { testApp } from '../harness/app.js';

describe('the error model', () => {
  it('answers an unknown route with not_found and a hint', async () => {
    const { app, auth } = await testApp();
    const headers = await auth('jsmith');
    const res = await app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        code: 'not_found',
        message: 'no route GET /api/v1/nothing-here',
        hint: 'see /api/openapi.json for the routes',
      },
    });
  });

  it('maps a LifeboatError to its status, code, message and hint', async () => {
    const { app, auth } = await testApp();
    const headers = await auth('jsmith');
    app.get('/api/test/refused', async () => {
      throw new LifeboatError('forbidden', 'unable to approve run 7: you requested it', {
        hint: 'ask another approver',
      });
    });
    const res = await app.inject({ method: 'GET', url: '/api/test/refused', headers });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'unable to approve run 7: you requested it',
        hint: 'ask another approver',
      },
    });
  });

  it('turns schema validation failures into invalid_request naming the field', async () => {
    const { app, auth } = await testApp();
    const headers = await auth('jsmith');
    app.post(
      '/api/test/echo',
      { schema: { body: z.object({ count: z.number().int().min(1) }) } },
      async (req) => req.body,
    );
    const res = await app.inject({ method: 'POST', url: '/api/test/echo', payload: { count: 0 }, headers });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/^invalid request: \/count /);
    expect(body.error.hint).toBe('see /api/openapi.json for the request schema');
  });

  it('answers malformed JSON with invalid_request, not a 500', async () => {
    const { app, auth } = await testApp();
    const headers = await auth('jsmith');
    app.post('/api/test/json', async () => ({ ok: true }));
    const res = await app.inject({
      method: 'POST',
      url: '/api/test/json',
      payload: '{"oops',
      headers: { ...headers, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
  });

  it('hides unexpected failures behind a correlation id, with no stack and no secret', async () => {
    const { app, auth } = await testApp();
    const headers = await auth('jsmith');
    app.get('/api/test/boom', async () => {
      throw new Error(
        'connect failed for postgres://admin:hunter2@db.internal/prod at Object.<anonymous> (/src/x.ts:1:1)',
      );
    });
    const res = await app.inject({ method: 'GET', url: '/api/test/boom', headers });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body.error.code).toBe('internal');
    expect(body.error.message).toBe('an unexpected error occurred; nothing was changed by this request');
    expect(body.error.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.error.hint).toBe(
      `report the correlation id ${body.error.correlationId}; the server log has the details`,
    );
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('.ts:');
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const { app, auth } = await testApp();
    const headers = await auth('jsmith');
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json', headers });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/health'].get.responses['200']).toBeDefined();
  });

  it('reports a healthy store and a missing queue as degraded health', async () => {
    const { app, store } = await testApp();
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('degraded');
    expect(body.store.ok).toBe(true);
    const inst = await store.db.selectFrom('lifeboat_instance').select('id').executeTakeFirstOrThrow();
    expect(body.store.instanceId).toBe(inst.id);
    expect(body.queue).toEqual({ ok: false, error: 'the queue is not started in this process' });
  });
});

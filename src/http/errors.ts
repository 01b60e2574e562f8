// Maps anything thrown in a route to the one error document. Known errors keep their code and
// status; validation errors become `invalid_request` with the offending fields; everything else
// is a 500 `internal` whose only clue for the client is a correlation id found in the server log.
import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ErrorBody, isLifeboatError } from '../errors.js';
import { redact } from '../lib/secret.js';
import type { App } from './app.js';

/**
 * `staleNote` says when lifeboat.yaml on disk is not the file in force: a denial or a "not found"
 * may then be about a change that is not loaded yet, and the answer says so.
 */
export function installErrorHandling(app: App, staleNote: () => string | undefined = () => undefined): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isLifeboatError(err)) {
      if (err.status >= 500) req.log.error({ err: { message: redact(err.message), code: err.code } }, 'request failed');
      const body = err.toBody();
      const note = err.status === 403 || err.status === 404 ? staleNote() : undefined;
      if (note !== undefined && !body.error.hint?.includes(note)) {
        body.error.hint = body.error.hint === undefined ? note : `${body.error.hint}; NOTE: ${note}`;
      }
      return reply.status(err.status).send(body);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const body: ErrorBody = {
        error: {
          code: 'invalid_request',
          message: `invalid request: ${err.validation.map((v) => `${v.instancePath || '/'} ${v.message}`).join('; ')}`,
          hint: 'see /api/openapi.json for the request schema',
          details: err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
        },
      };
      return reply.status(400).send(body);
    }
    // Fastify's own client errors (bad JSON, body too large, unsupported media type)
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      const body: ErrorBody = {
        error: {
          code: 'invalid_request',
          message: redact(err.message),
          hint: 'check the request body and headers',
        },
      };
      return reply.status(err.statusCode).send(body);
    }
    req.log.error({ err: { message: redact(err.message ?? String(err)), stack: err.stack } }, 'unexpected error');
    const body: ErrorBody = {
      error: {
        code: 'internal',
        message: 'an unexpected error occurred; nothing was changed by this request',
        hint: `report the correlation id ${req.id}; the server log has the details`,
        correlationId: String(req.id),
      },
    };
    return reply.status(500).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const body: ErrorBody = {
      error: {
        code: 'not_found',
        message: `no route ${req.method} ${req.url.split('?')[0]}`,
        hint: 'see /api/openapi.json for the routes',
      },
    };
    return reply.status(404).send(body);
  });
}

// Maps anything thrown in a route to the one error document. Known errors keep their code and
// status; validation errors become `invalid_request` with the offending fields; everything else
// is a 500 `internal` whose only clue for the client is a correlation id found in the server log.
// No answer echoes a request back whole: URLs and messages are cut short (a hostile client may
// send a megabyte in any field, and must not get it back, nor fill the log with it).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ErrorBody, isLifeboatError, quoteInput } from '../errors.js';
import { redact } from '../lib/secret.js';
import type { App } from './app.js';

/** Longest message or hint an error answer carries; longer ones end in "…". */
const MAX_TEXT = 2000;
/** Validation issues listed in an answer; a thousand bad array items need not be a thousand lines. */
const MAX_ISSUES = 10;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function bodyOf(error: ErrorBody['error']): ErrorBody {
  const out: ErrorBody['error'] = { ...error, message: clip(error.message) };
  if (error.hint !== undefined) out.hint = clip(error.hint);
  return { error: out };
}

/** The path of a request for messages: cut short, control characters escaped (the quotes left off). */
function pathOf(req: FastifyRequest): string {
  return quoteInput(req.url.split('?')[0]!, 200).slice(1, -1);
}

/**
 * `staleNote` says when lifeboat.yaml on disk is not the file in force: a denial or a "not found"
 * may then be about a change that is not loaded yet, and the answer says so.
 */
export function installErrorHandling(
  app: App,
  staleNote: () => string | undefined = () => undefined,
  /** Answers a path no route has, when it can (the web UI's client routes); false: the JSON 404. */
  notFoundFallback: (req: FastifyRequest, reply: FastifyReply) => boolean = () => false,
): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isLifeboatError(err)) {
      if (err.status >= 500) req.log.error({ err: { message: redact(err.message), code: err.code } }, 'request failed');
      const body = err.toBody();
      const note = err.status === 403 || err.status === 404 ? staleNote() : undefined;
      if (note !== undefined && !body.error.hint?.includes(note)) {
        body.error.hint = body.error.hint === undefined ? note : `${body.error.hint}; NOTE: ${note}`;
      }
      return reply.status(err.status).send(bodyOf(body.error));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.slice(0, MAX_ISSUES);
      const more = err.validation.length - issues.length;
      return reply.status(400).send(
        bodyOf({
          code: 'invalid_request',
          message: `invalid request: ${issues.map((v) => `${v.instancePath || '/'} ${v.message}`).join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
          hint: 'see /api/openapi.json for the request schema',
          details: issues.map((v) => ({ in: err.validationContext, path: v.instancePath, message: v.message })),
        }),
      );
    }
    // Fastify's own client errors (bad JSON, body too large, unsupported media type)
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(
        bodyOf({
          code: 'invalid_request',
          message: redact(err.message).slice(0, 200),
          hint: 'check the request body and headers',
        }),
      );
    }
    req.log.error(
      { err: { message: redact(err.message ?? String(err)).slice(0, 10_000), stack: err.stack } },
      'unexpected error',
    );
    return reply.status(500).send(
      bodyOf({
        code: 'internal',
        message: 'an unexpected error occurred; nothing was changed by this request',
        hint: `report the correlation id ${req.id}; the server log has the details`,
        correlationId: String(req.id),
      }),
    );
  });

  app.setNotFoundHandler((req, reply) => {
    if (notFoundFallback(req, reply)) return;
    void reply.status(404).send(
      bodyOf({
        code: 'not_found',
        message: `no route ${req.method} ${pathOf(req)}`,
        hint: 'see /api/openapi.json for the routes',
      }),
    );
  });
}

/**
 * Errors Fastify's router raises before any route runs (passed as Fastify's `frameworkErrors`):
 * a path that is not valid percent-encoded UTF-8, or a path parameter over `maxParamLength`.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `the path ${pathOf(req)} has a parameter longer than any Lifeboat takes`
      : err.code === 'FST_ERR_BAD_URL'
        ? `the path ${pathOf(req)} is not valid percent-encoded UTF-8`
        : redact(err.message).slice(0, 200);
  void reply
    .status(400)
    .send(bodyOf({ code: 'invalid_request', message, hint: 'see /api/openapi.json for the routes' }));
}

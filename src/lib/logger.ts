// Structured JSON logs (pino). Secrets are Secret objects and serialise as ***; the redact paths
// are a second net for fields that carry credentials as plain strings (headers, URLs, tokens).
import { type Logger, pino } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'url',
  '*.url',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'secret',
  '*.secret',
  'passphrase',
  '*.passphrase',
];

export function createLogger(
  opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  return pino(
    {
      name: opts.name ?? 'lifeboat',
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '***' },
      base: { pid: process.pid },
    },
    (opts.destination ?? process.stderr) as pino.DestinationStream,
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

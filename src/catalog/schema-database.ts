// The schema of one `databases.<Name>` entry: where it lives, who owns it, where it may be
// restored, how it is backed up, masked and verified. Built around a secret schema so that
// the same shape serves the editor JSON Schema (reference form only) and loading (resolved).
import { z } from 'zod';
import { count, cron, duration, jobs, reference } from './schema-values.js';
import { COMPRESSION_METHODS, TRANSFORMS } from './types.js';

// age X25519 recipients are bech32: "age1" and 58 characters of the bech32 alphabet.
const AGE_RECIPIENT = /^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/;

const LEVELS = { gzip: [0, 9], zstd: [1, 22] } as const;

const compression = z
  .object({ method: z.enum(COMPRESSION_METHODS), level: z.number().int().optional() })
  .strict()
  .superRefine(({ method, level }, ctx) => {
    if (level === undefined) return;
    const range = method === 'none' ? undefined : LEVELS[method];
    if (range !== undefined && level >= range[0] && level <= range[1]) return;
    ctx.addIssue({
      code: 'custom',
      path: ['level'],
      message: range ? `${method} level must be ${range[0]}..${range[1]}` : 'method none takes no level',
      params: { code: 'invalid_value' },
    });
  });

const retention = z
  .object({
    keep_days: count.optional(),
    keep_last: count.optional(),
    daily: count.optional(),
    weekly: count.optional(),
    monthly: count.optional(),
  })
  .strict();

const column = z.object({ table: z.string().min(1), column: z.string().min(1) }).strict();

const postRestoreCommand = z
  .object({ sql: z.string().min(1).optional(), command: z.string().min(1).optional() })
  .strict()
  .superRefine((step, ctx) => {
    if ((step.sql === undefined) !== (step.command === undefined)) return;
    ctx.addIssue({
      code: 'custom',
      path: step.sql === undefined ? ['sql'] : ['command'],
      message: 'a post-restore step is exactly one of: a path, {sql: path} or {command: string}',
      params: { code: step.sql === undefined ? 'missing_key' : 'invalid_value' },
    });
  });

export function databaseSchema<S extends z.ZodType>(secret: S) {
  const encrypt = z
    .object({
      passphrase: secret.optional(),
      recipients: z.array(z.string().regex(AGE_RECIPIENT, 'not an age X25519 recipient (age1…)')).min(1).optional(),
      identity: secret.optional().meta({ description: 'age identity, needed to restore' }),
    })
    .strict()
    .superRefine((e, ctx) => {
      const both = e.passphrase !== undefined && e.recipients !== undefined;
      if (both || (e.passphrase === undefined && e.recipients === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: both ? ['recipients'] : ['passphrase'],
          message: 'encrypt takes exactly one of passphrase or recipients',
          params: { code: both ? 'invalid_value' : 'missing_key' },
        });
      }
      if (e.identity !== undefined && e.recipients === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['identity'],
          message: 'identity goes with recipients',
          params: { code: 'invalid_value' },
        });
      }
    });

  const backup = z
    .object({
      storage: reference,
      schedule: cron.optional(),
      jobs: jobs.default(2),
      compression: compression.optional(),
      retention: retention.optional(),
      encrypt: encrypt.optional(),
    })
    .strict();

  const rule = z
    .object({
      table: z.string().min(1),
      column: z.string().min(1),
      transform: z.enum(TRANSFORMS),
      options: z.record(z.string(), z.unknown()).optional(),
    })
    .strict();

  const masking = z
    .object({
      key: secret.optional().meta({ description: 'secret key of the deterministic token transform' }),
      sensitive: z.array(column).default([]),
      rules: z.array(rule),
      threads: z
        .union([z.literal('auto'), z.number().int().min(0).max(16)])
        .default('auto')
        .meta({ description: 'threads masking one large table: auto (by its size and the cores), or 0-16' }),
    })
    .strict();

  const check = z.object({ name: z.string().min(1), sql: z.string().min(1), expect: z.unknown().optional() }).strict();
  const drill = z
    .object({
      schedule: z
        .union([z.literal('first_sunday'), z.literal('monthly'), cron])
        .optional()
        .meta({
          description:
            'when the drill runs: first_sunday (03:00 UTC on the first Sunday of a month), monthly (03:00 UTC on the 1st) or a cron expression such as "0 3 * * 0"',
        }),
      target: reference.meta({ description: 'the non-production server the scratch database is created on' }),
      checks: z.array(check).optional().meta({
        description: "the drill's own checks, run after the database's verify checks: SQL returning one row",
      }),
      keep_on_failure: z.boolean().optional().meta({
        description: 'keep the scratch database of a failed drill for inspection (named in the result)',
      }),
    })
    .strict();

  // disaster recovery (src/dr): where a lost database is recovered to, and how the application
  // is re-pointed and checked afterwards
  const cutoverHook = z.union([
    z
      .object({
        command: z.array(z.string().min(1)).min(1).meta({
          description:
            'a program and its arguments (no shell), run with LIFEBOAT_INCIDENT, LIFEBOAT_DATABASE, LIFEBOAT_RECOVERED_HOST, LIFEBOAT_RECOVERED_PORT, LIFEBOAT_RECOVERED_DBNAME, LIFEBOAT_RECOVERED_USER and LIFEBOAT_RECOVERED_URL (with the password) in its environment; exit 0 is success',
        }),
      })
      .strict(),
    z
      .object({
        webhook: z.url({ protocol: /^https?$/ }).meta({
          description:
            'POSTed a JSON body naming the incident, the database and where it was recovered (host, port, dbname, user; never the password); a 2xx answer is success',
        }),
      })
      .strict(),
  ]);
  const dr = z
    .object({
      target: z.string().min(1).default('new_instance').meta({
        description:
          "where `lifeboat dr execute` recovers the database: new_instance (a new PostgreSQL instance on the worker's machine, on a free port) or the name of a standby server",
      }),
      cutover: z.array(cutoverHook).default([]).meta({
        description:
          're-points the application at the recovered database, in order: {command: [...]} or {webhook: url}',
      }),
      health_url: z
        .url({ protocol: /^https?$/ })
        .optional()
        .meta({
          description: "the application's health check, polled after the cutover until it answers 2xx",
        }),
      smoke_url: z
        .url({ protocol: /^https?$/ })
        .optional()
        .meta({
          description: 'a functional smoke test of the application, polled with the health check until it answers 2xx',
        }),
    })
    .strict();

  return z
    .object({
      server: reference,
      name: z.string().min(1).meta({ description: "the database's name on its server" }),
      owner: reference.meta({ description: 'the owning team' }),
      destinations: z.array(reference).default([]),
      approvals: z.number().int().min(0).default(1),
      rpo: duration.optional(),
      rto: duration.optional().meta({
        description:
          'recovery time objective: a disaster-recovery incident is reported against it (health green minus incident start)',
      }),
      keep_previous: duration.default('24h').meta({
        description:
          'how long the database a restore replaces is kept beside it as an instant undo: a duration such as 24h or 2d',
      }),
      keep_previous_count: z.number().int().min(1).default(1).meta({
        description:
          'at most this many kept previous copies of one destination stay on its server (the newest; the copy a restore has just kept always stays)',
      }),
      keep_failed: z.boolean().optional(),
      restore: z.object({ jobs: jobs.optional() }).strict().optional(),
      backup: backup.optional(),
      masking: masking.optional(),
      post_restore: z.array(z.union([z.string().min(1), postRestoreCommand])).optional(),
      schema: z
        .object({
          reference: z
            .string()
            .min(1)
            .optional()
            .meta({
              description:
                'SQL file (relative to lifeboat.yaml) whose schema is the drift reference, instead of the last accepted snapshot. ' +
                'It is applied, as an ordinary role, to an empty database of a throwaway PostgreSQL cluster that Lifeboat starts on its own host ' +
                '(never a catalog server), snapshotted, and the cluster deleted',
            }),
          drift_schedule: cron.optional().meta({
            description:
              'cron (UTC) of a scheduled drift check, run by the workers: a report stored each time, a new drift notified once (schema.drift)',
          }),
          ignore: z
            .array(z.string().min(1))
            .default([])
            .meta({ description: 'objects drift and diffs leave out, by qualified name; * matches any characters' }),
        })
        .strict()
        .optional(),
      verify: z.array(check).optional(),
      drill: drill.optional(),
      slo: z
        .object({
          backup_freshness: duration.optional().meta({
            description:
              'alert when no verified backup is younger than this. Default: from backup.schedule, its longest interval between two firings plus a third of it (at least 2h): 6-hourly → 8h, daily → 32h, hourly → 3h; no alert without a schedule',
          }),
        })
        .strict()
        .optional()
        .meta({
          description:
            'recovery SLOs, alerted once when breached and once when recovered: backup freshness (this), RPO (rpo), drill freshness (a passing drill every calendar month when drill is set), failing or corrupt backups',
        }),
      dr: dr.optional(),
    })
    .strict();
}

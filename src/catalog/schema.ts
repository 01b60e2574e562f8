// The zod schema of the lifeboat.yaml document as written. Every object is strict, so a typo
// is an error instead of a setting silently ignored. The schema is built around a secret
// schema: `configSchema` (references checked for form only) is the one for editors and the
// JSON Schema; loading builds it with a resolving secret schema (see secret-ref.ts).
import { z } from 'zod';
import { Secret } from '../lib/secret.js';
import { NOTIFY_TYPES, SEVERITIES } from '../notify/events.js';
import { isLegacyTeamsConnector } from '../notify/teams-url.js';
import { databaseSchema } from './schema-database.js';
import { cron, duration, nameKey, reference } from './schema-values.js';
import { secretRefSchema } from './secret-ref.js';
import { type EngineKind, ROLE_DESCRIPTIONS, ROLES, TIERS } from './types.js';

export function buildConfigSchema<S extends z.ZodType>(secret: S) {
  const team = z
    .object({
      members: z.array(reference),
      approvers: z.array(reference).meta({ description: "the team's database owners" }),
      notify: z.array(reference).default([]).meta({ description: 'notification channel names' }),
      max_concurrent_restores: z.number().int().min(1).optional(),
    })
    .strict();

  const user = z
    .object({
      email: z.email(),
      roles: z
        .array(z.enum(ROLES))
        .min(1)
        .meta({
          description: Object.entries(ROLE_DESCRIPTIONS)
            .map(([role, what]) => `${role}: ${what}`)
            .join('; '),
        }),
    })
    .strict();

  const serverCommon = {
    tier: z.enum(TIERS),
    url: secret,
    labels: z.array(z.string().min(1)).default([]).meta({ description: 'worker labels that can reach it' }),
  };
  // physical backups of a PostgreSQL server through pgBackRest (src/physical)
  const pgbackrest = z
    .object({
      stanza: nameKey.meta({ description: 'the pgBackRest stanza name of this cluster' }),
      pg_data: z
        .string()
        .regex(/^\//, 'an absolute path')
        .meta({ description: "absolute path of the cluster's data directory on the worker's machine (pg1-path)" }),
      os_user: z.string().min(1).default('postgres').meta({
        description: 'the OS user that owns the cluster; pgBackRest, initdb and pg_ctl run as it, never root',
      }),
      socket_path: z.string().regex(/^\//, 'an absolute path').optional().meta({
        description:
          "the cluster's Unix socket directory (pg1-socket-path; pgBackRest connects through it). Default /var/run/postgresql",
      }),
      repo: reference.meta({
        description:
          'the storage: entry holding the repository (filesystem → repo1-path <path>/pgbackrest; s3 → bucket, endpoint, region and keys)',
      }),
      config_dir: z.string().regex(/^\//, 'an absolute path').optional().meta({
        description:
          "where Lifeboat writes this stanza's pgbackrest.conf (mode 0600, owned by os_user) and pgBackRest's logs and locks; default <directory of lifeboat.yaml>/pgbackrest/<server>",
      }),
      schedule: z
        .object({
          full: cron.optional().meta({ description: 'when a full backup runs' }),
          diff: cron.optional().meta({ description: 'when a differential backup (since the last full) runs' }),
          incr: cron.optional().meta({ description: 'when an incremental backup (since the last backup) runs' }),
        })
        .strict()
        .default({})
        .meta({ description: 'cron schedules (UTC) of pgBackRest backups by type' }),
      retention_full: z.number().int().min(1).max(100).default(2).meta({
        description:
          'full backups kept (repo1-retention-full); their differential and incremental backups go with them',
      }),
      archive_timeout: duration.optional().meta({
        description:
          'the archive_timeout the server should have (printed by `backup physical setup`): the longest a quiet server waits before a WAL segment is archived, i.e. the RPO bound',
      }),
      process_max: z.number().int().min(1).max(16).default(1).meta({ description: 'pgBackRest process-max' }),
    })
    .strict()
    .meta({ description: 'physical backups and point-in-time recovery of this PostgreSQL server through pgBackRest' });

  // mariadb, mysql and command parse (their shape is settled) but are refused at load until they
  // are built: see DRIVEN_ENGINES in not-yet.ts
  const server = z.discriminatedUnion('engine', [
    z
      .object({
        engine: z
          .enum(['postgres', 'mariadb', 'mysql'] satisfies EngineKind[])
          .meta({ description: 'postgres; mariadb, mysql and command are refused until Lifeboat can drive them' }),
        ...serverCommon,
        pgbackrest: pgbackrest.optional(),
      })
      .strict(),
    z
      .object({
        engine: z.literal('command'),
        ...serverCommon,
        command: z.object({ restore: z.string().min(1), backup: z.string().min(1).optional() }).strict(),
      })
      .strict(),
  ]);

  const storage = z.discriminatedUnion('type', [
    z.object({ type: z.literal('filesystem'), path: z.string().min(1) }).strict(),
    z
      .object({
        type: z.literal('s3'),
        bucket: z.string().min(1),
        endpoint: z.url({ protocol: /^https?$/ }).optional(),
        region: z.string().min(1).default('auto'),
        prefix: z.string().optional(),
        force_path_style: z.boolean().optional(),
        access_key_id: secret.optional(),
        secret_access_key: secret.optional(),
        ca: z.string().min(1).optional().meta({
          description:
            'path (relative to lifeboat.yaml) of a PEM CA certificate the https endpoint is checked against (a private CA: MinIO, Ceph)',
        }),
      })
      .strict()
      .superRefine((s, ctx) => {
        // Half a key pair would fail later inside the S3 client with a far less useful message.
        if ((s.access_key_id === undefined) === (s.secret_access_key === undefined)) return;
        ctx.addIssue({
          code: 'custom',
          path: [s.access_key_id === undefined ? 'access_key_id' : 'secret_access_key'],
          message: 'access_key_id and secret_access_key go together',
          params: {
            code: 'missing_key',
            hint: 'give both, or neither to use the default AWS credential chain',
          },
        });
      }),
  ]);

  // every channel: how many attempts before a message is dead-lettered, and which events it takes
  const delivery = {
    max_attempts: z.number().int().min(1).max(100).default(8).meta({
      description: 'attempts before a message is dead-lettered (`lifeboat notifications retry <id>` sends it again)',
    }),
    events: z.array(z.enum(NOTIFY_TYPES)).min(1).optional().meta({ description: 'only these events (default: all)' }),
    min_severity: z
      .enum(SEVERITIES)
      .optional()
      .meta({ description: 'only events at least this severe: info (default), warning, error' }),
    all_teams: z.boolean().optional().meta({
      description:
        'hears the events of every team, not only of the teams that list it in notify (a DBA channel: all_teams: true, min_severity: error)',
    }),
  };
  const notification = z.discriminatedUnion('type', [
    z
      .object({ type: z.literal('slack'), url: secret, ...delivery })
      .strict()
      .meta({ description: 'a Slack incoming webhook' }),
    z
      .object({ type: z.literal('teams'), url: secret, ...delivery })
      .strict()
      .superRefine((t, ctx) => {
        // only once resolved (a reference is checked for its form alone); the URL is never echoed
        const url: unknown = (t as { url: unknown }).url;
        if (!(url instanceof Secret) || !isLegacyTeamsConnector(url.reveal())) return;
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          message: 'this is an Office 365 connector URL, which Microsoft has retired',
          params: {
            code: 'invalid_value',
            hint: 'create a Workflows webhook in Teams ("Post to a channel when a webhook request is received") and use its URL',
          },
        });
      })
      .meta({ description: 'a Microsoft Teams Workflows webhook (Adaptive Cards)' }),
    z.object({ type: z.literal('webhook'), url: secret, secret: secret.optional(), ...delivery }).strict(),
    z
      .object({
        type: z.literal('email'),
        to: z.array(z.email()).min(1),
        from: z.email().optional(),
        smtp: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535),
            secure: z.boolean().optional().meta({
              description:
                'true: TLS from the first byte (port 465, the default there); false: STARTTLS, required (every other port)',
            }),
            user: z.string().min(1).optional(),
            password: secret.optional(),
            ca: z.string().min(1).optional().meta({
              description: 'path (relative to lifeboat.yaml) of a PEM CA certificate the server is checked against',
            }),
          })
          .strict(),
        ...delivery,
      })
      .strict(),
  ]);

  const serverSection = z
    .object({
      public_url: z
        .url({ protocol: /^https?$/ })
        .optional()
        .meta({
          description: 'the base URL people open Lifeboat at, for links in notifications (default: the listen address)',
        }),
      metrics_token: secret.optional().meta({
        description:
          'bearer token Prometheus must send to read /metrics (`authorization: {credentials: ...}` in its scrape config), separate from API tokens. Without it /metrics is open to anyone who can reach the server: it shows database names, backup ages and counts, never a secret',
      }),
    })
    .strict();

  const policy = z
    .object({
      dba_admin_can_approve: z.boolean().default(false),
      approval_expires_after: duration.default('24h'),
      // a dry run that is never submitted ends `expired`, and no longer pins its backup against pruning
      dry_run_expires_after: duration.default('7d'),
      // Present only to answer anyone who looks for it: a requester never approves their own run.
      self_approval: z
        .boolean()
        .superRefine((on, ctx) => {
          if (!on) return;
          ctx.addIssue({
            code: 'custom',
            message: 'self-approval cannot be enabled: a requester never approves their own run',
            params: {
              code: 'invalid_policy',
              hint: 'remove self_approval, or set approvals: 0 for non-production destinations',
            },
          });
        })
        .optional(),
    })
    .strict();

  const audit = z
    .object({
      signing_key: secret.optional().meta({
        description:
          'Ed25519 private key (PEM, PKCS#8) that signs checkpoints of the audit chain; every server and worker sharing a store needs the same one. Default: audit-signing.key in the data directory, created by `lifeboat start` / `lifeboat server` on first start',
      }),
      public_key: z.string().min(1).optional().meta({
        description:
          'path (relative to lifeboat.yaml) of the Ed25519 public key (PEM) that `audit verify` trusts. Default: the public key of signing_key, else audit-signing.pub in the data directory',
      }),
      checkpoint_every: duration.default('5m').meta({
        description:
          'how often a server writes a signed checkpoint of the audit chain to every storage (also at shutdown and after every backup)',
      }),
    })
    .strict()
    .meta({
      description:
        'the audit trail is anchored outside the store by signed checkpoints written to the backup storage (`_audit/checkpoints/`)',
    });

  const dr = z
    .object({
      alertmanager_token: secret.optional().meta({
        description:
          "the bearer token Alertmanager sends to POST /api/v1/alerts/alertmanager (its webhook receiver's http_config.authorization.credentials)",
      }),
      triggers: z
        .array(
          z
            .object({
              match: z.record(z.string().min(1), z.string()).meta({
                description: 'alert labels and their exact values, e.g. {alertname: PostgresDown, instance: prod-pg01}',
              }),
              database: reference.meta({ description: 'the database an alert with these labels declares lost' }),
            })
            .strict(),
        )
        .default([])
        .meta({
          description: 'which firing alerts open a disaster-recovery incident, and for which database (first match)',
        }),
      health_timeout: duration.default('15m').meta({
        description: "how long `dr execute` polls the application's health and smoke URLs after the cutover",
      }),
      health_interval: duration
        .default('5s')
        .meta({ description: 'the time between two polls of the health and smoke URLs' }),
      instances_dir: z.string().min(1).default('./dr-instances').meta({
        description:
          'where `dr execute` creates new instances (relative to lifeboat.yaml; every parent must be enterable by the postgres OS user)',
      }),
    })
    .strict()
    .meta({ description: 'disaster recovery: incidents from Alertmanager, and how recoveries are checked' });

  return z
    .object({
      version: z.literal(1),
      teams: z.record(nameKey, team).default({}),
      users: z.record(nameKey, user).default({}),
      servers: z.record(nameKey, server).default({}),
      storage: z.record(nameKey, storage).default({}),
      databases: z.record(nameKey, databaseSchema(secret)).default({}),
      notifications: z.record(nameKey, notification).default({}),
      // prefault, not default: the inner defaults must apply when the section is absent.
      policy: policy.prefault({}),
      audit: audit.prefault({}),
      dr: dr.prefault({}),
      server: serverSection.optional(),
    })
    .strict();
}

/** The document schema with secret references checked for form only. */
export const configSchema = buildConfigSchema(secretRefSchema);

/** lifeboat.yaml as written. */
export type ConfigDocument = z.input<typeof configSchema>;

/** lifeboat.yaml after validation: defaults applied, secrets resolved. */
export type ResolvedDocument = z.output<ReturnType<typeof buildConfigSchema<z.ZodType<Secret, string>>>>;

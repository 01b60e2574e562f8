// Turns the validated document into the Catalog the rest of Lifeboat reads: camelCase,
// defaults made explicit, durations in milliseconds, relative paths made absolute, and the
// whole tree frozen so that no module can change configuration behind another's back.
import { resolve } from 'node:path';
import { parseDuration } from '../lib/duration.js';
import type { ConfigWarning } from './config-error.js';
import { Secret } from '../lib/secret.js';
import type { ResolvedDocument } from './schema.js';
import type {
  BackupPolicy,
  Catalog,
  CutoverHook,
  DatabaseConfig,
  DatabaseDrConfig,
  Duration,
  EncryptionConfig,
  NotificationChannel,
  PostRestoreStep,
  ServerConfig,
  StorageConfig,
} from './types.js';

type Doc = ResolvedDocument;
type DatabaseDoc = Doc['databases'][string];

export function buildCatalog(
  doc: Doc,
  where: { file?: string; baseDir: string; warnings?: readonly ConfigWarning[] },
): Catalog {
  const { baseDir } = where;
  const catalog: Catalog = {
    ...(where.file === undefined ? {} : { file: where.file }),
    baseDir,
    version: doc.version,
    teams: mapEntries(doc.teams, (name, t) => ({
      name,
      members: t.members,
      approvers: t.approvers,
      notify: t.notify,
      ...opt('maxConcurrentRestores', t.max_concurrent_restores),
    })),
    users: mapEntries(doc.users, (name, u) => ({ name, email: u.email, roles: u.roles })),
    servers: mapEntries(doc.servers, (name, s): ServerConfig => ({
      name,
      engine: s.engine,
      tier: s.tier,
      url: s.url,
      labels: s.labels,
      ...('command' in s ? { command: s.command } : {}),
      ...('pgbackrest' in s && s.pgbackrest
        ? {
            pgbackrest: {
              stanza: s.pgbackrest.stanza,
              pgData: s.pgbackrest.pg_data,
              osUser: s.pgbackrest.os_user,
              ...opt('socketPath', s.pgbackrest.socket_path),
              repo: s.pgbackrest.repo,
              configDir: s.pgbackrest.config_dir ?? resolve(baseDir, 'pgbackrest', name),
              schedule: s.pgbackrest.schedule,
              retentionFull: s.pgbackrest.retention_full,
              ...opt(
                'archiveTimeout',
                s.pgbackrest.archive_timeout === undefined ? undefined : toDuration(s.pgbackrest.archive_timeout),
              ),
              processMax: s.pgbackrest.process_max,
            },
          }
        : {}),
    })),
    storage: mapEntries(doc.storage, (name, s): StorageConfig => {
      if (s.type === 'filesystem') return { name, type: s.type, path: resolve(baseDir, s.path) };
      return {
        name,
        type: s.type,
        bucket: s.bucket,
        region: s.region,
        forcePathStyle: s.force_path_style ?? false,
        ...opt('endpoint', s.endpoint),
        ...opt('prefix', s.prefix),
        ...opt('accessKeyId', s.access_key_id),
        ...opt('secretAccessKey', s.secret_access_key),
        ...opt('ca', s.ca === undefined ? undefined : resolve(baseDir, s.ca)),
      };
    }),
    databases: mapEntries(doc.databases, (name, d) => buildDatabase(name, d, baseDir)),
    notifications: mapEntries(doc.notifications, (name, n): NotificationChannel => {
      const delivery = {
        maxAttempts: n.max_attempts,
        ...opt('events', n.events),
        minSeverity: n.min_severity ?? 'info',
        allTeams: n.all_teams ?? false,
      };
      switch (n.type) {
        case 'slack':
        case 'teams':
          return { name, type: n.type, url: n.url, ...delivery };
        case 'webhook':
          return { name, type: n.type, url: n.url, ...opt('secret', n.secret), ...delivery };
        case 'email': {
          const { host, port, secure, user, password, ca } = n.smtp;
          // Port 465 is implicit TLS; every other SMTP port starts plain and upgrades (STARTTLS).
          const smtp = {
            host,
            port,
            secure: secure ?? port === 465,
            ...opt('user', user),
            ...opt('password', password),
            ...opt('ca', ca === undefined ? undefined : resolve(baseDir, ca)),
          };
          return { name, type: n.type, to: n.to, ...opt('from', n.from), smtp, ...delivery };
        }
        default:
          return n satisfies never;
      }
    }),
    policy: {
      dbaAdminCanApprove: doc.policy.dba_admin_can_approve,
      approvalExpiresAfter: toDuration(doc.policy.approval_expires_after),
      dryRunExpiresAfter: toDuration(doc.policy.dry_run_expires_after),
    },
    warnings: [...(where.warnings ?? [])],
    audit: {
      ...opt('signingKey', doc.audit.signing_key),
      ...opt('publicKey', doc.audit.public_key === undefined ? undefined : resolve(baseDir, doc.audit.public_key)),
      checkpointEvery: toDuration(doc.audit.checkpoint_every),
    },
    dr: {
      ...opt('alertmanagerToken', doc.dr.alertmanager_token),
      triggers: doc.dr.triggers.map((t) => ({ match: t.match, database: t.database })),
      healthTimeout: toDuration(doc.dr.health_timeout),
      healthInterval: toDuration(doc.dr.health_interval),
      instancesDir: resolve(baseDir, doc.dr.instances_dir),
    },
    ...opt('publicUrl', doc.server?.public_url?.replace(/\/+$/, '')),
    ...opt('metricsToken', doc.server?.metrics_token),
  };
  return deepFreeze(catalog);
}

function buildDatabase(name: string, d: DatabaseDoc, baseDir: string): DatabaseConfig {
  return {
    name,
    server: d.server,
    dbname: d.name,
    owner: d.owner,
    destinations: d.destinations,
    approvals: d.approvals,
    ...opt('rpo', d.rpo === undefined ? undefined : toDuration(d.rpo)),
    ...opt('rto', d.rto === undefined ? undefined : toDuration(d.rto)),
    keepPrevious: toDuration(d.keep_previous),
    keepPreviousCount: d.keep_previous_count,
    keepFailed: d.keep_failed ?? false,
    restore: { ...opt('jobs', d.restore?.jobs) },
    ...opt('backup', d.backup === undefined ? undefined : buildBackup(d.backup)),
    masking: {
      ...opt('key', d.masking?.key),
      sensitive: d.masking?.sensitive ?? [],
      threads: d.masking?.threads ?? 'auto',
      rules: (d.masking?.rules ?? []).map((r) => ({
        table: r.table,
        column: r.column,
        transform: r.transform,
        options: r.options ?? {},
      })),
    },
    postRestore: (d.post_restore ?? []).map((step): PostRestoreStep => {
      if (typeof step === 'string') return { kind: 'sql', path: resolve(baseDir, step) };
      if (step.sql !== undefined) return { kind: 'sql', path: resolve(baseDir, step.sql) };
      return { kind: 'command', command: step.command ?? '' };
    }),
    verify: (d.verify ?? []).map((v) => ({ name: v.name, sql: v.sql, ...opt('expect', v.expect) })),
    ...opt(
      'drill',
      d.drill === undefined
        ? undefined
        : {
            ...opt('schedule', d.drill.schedule),
            target: d.drill.target,
            checks: (d.drill.checks ?? []).map((v) => ({ name: v.name, sql: v.sql, ...opt('expect', v.expect) })),
            keepOnFailure: d.drill.keep_on_failure ?? false,
          },
    ),
    ...opt('dr', d.dr === undefined ? undefined : buildDr(d.dr)),
    slo: {
      ...opt('backupFreshness', d.slo?.backup_freshness === undefined ? undefined : toDuration(d.slo.backup_freshness)),
    },
    schema: {
      ignore: d.schema?.ignore ?? [],
      ...opt(
        'reference',
        d.schema?.reference === undefined
          ? undefined
          : { path: resolve(baseDir, d.schema.reference), label: d.schema.reference },
      ),
      ...opt('driftSchedule', d.schema?.drift_schedule),
    },
  };
}

function buildDr(dr: NonNullable<DatabaseDoc['dr']>): DatabaseDrConfig {
  return {
    target: dr.target === 'new_instance' ? 'new_instance' : { server: dr.target },
    cutover: dr.cutover.map((h): CutoverHook =>
      'command' in h ? { kind: 'command', argv: h.command } : { kind: 'webhook', url: h.webhook },
    ),
    ...opt('healthUrl', dr.health_url),
    ...opt('smokeUrl', dr.smoke_url),
  };
}

function buildBackup(b: NonNullable<DatabaseDoc['backup']>): BackupPolicy {
  const r = b.retention ?? {};
  const encrypt: EncryptionConfig | undefined =
    b.encrypt === undefined
      ? undefined
      : b.encrypt.passphrase !== undefined
        ? { mode: 'passphrase', passphrase: b.encrypt.passphrase }
        : {
            mode: 'recipients',
            recipients: b.encrypt.recipients ?? [],
            ...opt('identity', b.encrypt.identity),
          };
  return {
    storage: b.storage,
    jobs: b.jobs,
    ...opt('schedule', b.schedule),
    ...opt('compression', b.compression),
    retention: {
      ...opt('keepDays', r.keep_days),
      ...opt('keepLast', r.keep_last),
      ...opt('daily', r.daily),
      ...opt('weekly', r.weekly),
      ...opt('monthly', r.monthly),
    },
    ...opt('encrypt', encrypt),
  };
}

/** Only valid durations reach here: the schema checked the ones written, defaults are literals. */
function toDuration(text: string): Duration {
  return { text, ms: parseDuration(text) ?? 0 };
}

/** `{key: value}` when value is defined, `{}` otherwise: optional keys stay absent, not undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

function mapEntries<T, U>(record: Record<string, T>, fn: (name: string, value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, fn(name, value)]));
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || value instanceof Secret || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

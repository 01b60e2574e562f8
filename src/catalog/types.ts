// The catalog: lifeboat.yaml parsed once at the boundary into typed, deeply frozen data that
// the rest of Lifeboat trusts without checking again. Defaults are applied, durations carry
// milliseconds, secrets are Secret objects, paths are absolute. Keys are camelCase here while
// the YAML is snake_case; every entry also carries its own `name` (its key in the file).
import type { Secret } from '../lib/secret.js';
import type { ConfigWarning } from './config-error.js';

export const ROLES = ['developer', 'db-owner', 'dba-admin', 'admin', 'recovery-operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do (src/access/policy.ts decides; this is what the config's schema says). */
export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  developer: "requests and views restores of its teams' databases",
  'db-owner': "as developer, and approves, cancels and undoes its teams' restores, runs their backups",
  'dba-admin': 'operates on every database; approves only with policy.dba_admin_can_approve',
  admin: 'as dba-admin',
  'recovery-operator': 'runs disaster recovery; views, verifies and fetches raw backups of every database',
  auditor: 'reads everything, changes nothing',
};

export const TIERS = ['production', 'staging', 'development', 'test'] as const;
export type Tier = (typeof TIERS)[number];

export const ENGINE_KINDS = ['postgres', 'mariadb', 'mysql', 'command'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export const TRANSFORMS = [
  'email',
  'name',
  'first_name',
  'last_name',
  'phone',
  'address',
  'token',
  'hash',
  'null',
  'fixed',
  'redact',
  'date_shift',
  'number_noise',
  'regex_replace',
  'json_path',
] as const;
export type Transform = (typeof TRANSFORMS)[number];

export const COMPRESSION_METHODS = ['gzip', 'zstd', 'none'] as const;
export type CompressionMethod = (typeof COMPRESSION_METHODS)[number];

/** A duration as written (for messages) and in milliseconds (for arithmetic). */
export interface Duration {
  readonly text: string;
  readonly ms: number;
}

export interface TeamConfig {
  readonly name: string;
  readonly members: readonly string[];
  readonly approvers: readonly string[];
  /** Notification channel names. */
  readonly notify: readonly string[];
  readonly maxConcurrentRestores?: number;
}

export interface UserConfig {
  readonly name: string;
  readonly email: string;
  readonly roles: readonly Role[];
}

export interface ServerConfig {
  readonly name: string;
  readonly engine: EngineKind;
  readonly tier: Tier;
  readonly url: Secret;
  readonly labels: readonly string[];
  /** Only for engine `command`: the organisation's own restore/backup procedure. */
  readonly command?: { readonly restore: string; readonly backup?: string };
  /** Physical backups through pgBackRest (src/physical). */
  readonly pgbackrest?: PgBackRestConfig;
}

export const PHYSICAL_BACKUP_TYPES = ['full', 'diff', 'incr'] as const;
export type PhysicalBackupType = (typeof PHYSICAL_BACKUP_TYPES)[number];

export interface PgBackRestConfig {
  readonly stanza: string;
  /** Absolute: the cluster's data directory on the worker's machine. */
  readonly pgData: string;
  readonly osUser: string;
  readonly socketPath?: string;
  /** A storage entry. */
  readonly repo: string;
  /** Absolute: pgbackrest.conf, logs, locks. */
  readonly configDir: string;
  readonly schedule: Readonly<Partial<Record<PhysicalBackupType, string>>>;
  readonly retentionFull: number;
  readonly archiveTimeout?: Duration;
  readonly processMax: number;
}

export interface FilesystemStorageConfig {
  readonly name: string;
  readonly type: 'filesystem';
  /** Absolute. */
  readonly path: string;
}

export interface S3StorageConfig {
  readonly name: string;
  readonly type: 's3';
  readonly bucket: string;
  readonly endpoint?: string;
  readonly region: string;
  readonly prefix?: string;
  readonly forcePathStyle: boolean;
  readonly accessKeyId?: Secret;
  readonly secretAccessKey?: Secret;
  /** A PEM CA certificate (absolute path) the https endpoint is checked against. */
  readonly ca?: string;
}

export type StorageConfig = FilesystemStorageConfig | S3StorageConfig;

export interface RetentionPolicy {
  readonly keepDays?: number;
  readonly keepLast?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
}

export type EncryptionConfig =
  | { readonly mode: 'passphrase'; readonly passphrase: Secret }
  | { readonly mode: 'recipients'; readonly recipients: readonly string[]; readonly identity?: Secret };

export interface BackupPolicy {
  readonly storage: string;
  /** A 5- or 6-field cron expression. */
  readonly schedule?: string;
  readonly jobs: number;
  /** Absent: the backup module's default method. */
  readonly compression?: { readonly method: CompressionMethod; readonly level?: number };
  readonly retention: RetentionPolicy;
  readonly encrypt?: EncryptionConfig;
}

export interface ColumnRef {
  readonly table: string;
  readonly column: string;
}

export interface MaskingRule extends ColumnRef {
  readonly transform: Transform;
  /** Transform-specific settings (value, pattern, replacement, paths, days, percent, …). */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface MaskingConfig {
  readonly key?: Secret;
  /** Columns that hold personal data: a non-production restore is blocked while one has no rule. */
  readonly sensitive: readonly ColumnRef[];
  readonly rules: readonly MaskingRule[];
  /** Threads masking one large table: `auto` (by its size and the cores) or a number (0: in the stream). */
  readonly threads: 'auto' | number;
}

export type PostRestoreStep =
  | { readonly kind: 'sql' /** Absolute. */; readonly path: string }
  | { readonly kind: 'command'; readonly command: string };

export interface VerifyCheck {
  readonly name: string;
  readonly sql: string;
  readonly expect?: unknown;
}

/** A restore drill (src/drills): the backup restored into a scratch database, checked, dropped. */
export interface DrillConfig {
  /** As written: a cron expression, `first_sunday` or `monthly` (not scheduled yet: not-yet.ts). */
  readonly schedule?: string;
  /** A non-production server (a production one is a config error). */
  readonly target: string;
  readonly checks: readonly VerifyCheck[];
  readonly keepOnFailure: boolean;
}

/** How the application is re-pointed at a recovered database (src/dr/cutover.ts). */
export type CutoverHook =
  { readonly kind: 'command'; readonly argv: readonly string[] } | { readonly kind: 'webhook'; readonly url: string };

/** A database's disaster recovery (src/dr). */
export interface DatabaseDrConfig {
  /** `new_instance`, or the name of a standby server. */
  readonly target: 'new_instance' | { readonly server: string };
  readonly cutover: readonly CutoverHook[];
  readonly healthUrl?: string;
  readonly smokeUrl?: string;
}

/** An Alertmanager alert whose labels all equal `match` declares `database` lost. */
export interface DrTrigger {
  readonly match: Readonly<Record<string, string>>;
  readonly database: string;
}

/** `dr:` at the top level of lifeboat.yaml. */
export interface DrConfig {
  readonly alertmanagerToken?: Secret;
  readonly triggers: readonly DrTrigger[];
  readonly healthTimeout: Duration;
  readonly healthInterval: Duration;
  /** Absolute. */
  readonly instancesDir: string;
}

export interface DatabaseConfig {
  /** The catalog name (its key in lifeboat.yaml), e.g. `CustomerDB`. */
  readonly name: string;
  readonly server: string;
  /** The database's name on its server (`name:` in lifeboat.yaml), e.g. `customer`. */
  readonly dbname: string;
  /** The owning team. */
  readonly owner: string;
  /** Servers this database may be restored into. */
  readonly destinations: readonly string[];
  readonly approvals: number;
  readonly rpo?: Duration;
  readonly rto?: Duration;
  /** How long the replaced destination is kept as an instant undo. */
  readonly keepPrevious: Duration;
  /** How many kept previous copies of one destination stay at most (at least 1: the newest). */
  readonly keepPreviousCount: number;
  /** Keep the staging database of a failed run for inspection. */
  readonly keepFailed: boolean;
  readonly restore: { readonly jobs?: number };
  readonly backup?: BackupPolicy;
  readonly masking: MaskingConfig;
  readonly postRestore: readonly PostRestoreStep[];
  readonly verify: readonly VerifyCheck[];
  readonly drill?: DrillConfig;
  /** Per-database SLO settings (src/slo/); absent keys take the defaults derived from the schedules. */
  readonly slo?: { readonly backupFreshness?: Duration };
  /** Disaster recovery (absent: a new instance, no cutover hooks, no health checks). */
  readonly dr?: DatabaseDrConfig;
  /** Schema drift (src/schema/): objects left out of drift and diffs, by qualified name (`*` globs). */
  readonly schema?: {
    readonly ignore: readonly string[];
    /** The drift reference as a SQL file: `path` absolute, `label` as lifeboat.yaml spells it. */
    readonly reference?: { readonly path: string; readonly label: string };
    /** Cron of the scheduled drift check (UTC). */
    readonly driftSchedule?: string;
  };
}

/** What every channel has: delivery attempts before dead-lettering, and an optional event filter. */
export interface ChannelDelivery {
  readonly maxAttempts: number;
  /** Only these event types (absent: all). */
  readonly events?: readonly string[];
  /** Only events at least this severe. */
  readonly minSeverity: 'info' | 'warning' | 'error';
  /** Hears every team's events (a DBA channel), not only those of the teams that list it. */
  readonly allTeams: boolean;
}

export interface ChatChannel extends ChannelDelivery {
  readonly name: string;
  readonly type: 'slack' | 'teams';
  readonly url: Secret;
}

export interface WebhookChannel extends ChannelDelivery {
  readonly name: string;
  readonly type: 'webhook';
  readonly url: Secret;
  /** Signs each delivery (HMAC) when present. */
  readonly secret?: Secret;
}

export interface EmailChannel extends ChannelDelivery {
  readonly name: string;
  readonly type: 'email';
  readonly to: readonly string[];
  readonly from?: string;
  readonly smtp: {
    readonly host: string;
    readonly port: number;
    readonly secure: boolean;
    readonly user?: string;
    readonly password?: Secret;
    /** Absolute path of a PEM CA certificate the server's certificate is checked against. */
    readonly ca?: string;
  };
}

export type NotificationChannel = ChatChannel | WebhookChannel | EmailChannel;

export interface PolicyConfig {
  /** May a dba-admin approve in place of the owning team (always audited)? */
  readonly dbaAdminCanApprove: boolean;
  readonly approvalExpiresAfter: Duration;
  /** A dry run not submitted by then expires. */
  readonly dryRunExpiresAfter: Duration;
}

export interface AuditConfig {
  /** Signs checkpoints of the audit chain; absent: the data directory's key. */
  readonly signingKey?: Secret;
  /** Absolute path of the public key verification trusts; absent: derived from the signing key. */
  readonly publicKey?: string;
  readonly checkpointEvery: Duration;
}

export interface Catalog {
  /** Absolute path of the file it was read from, when it was read from a file. */
  readonly file?: string;
  /** Absolute; relative paths in the file were resolved against it. */
  readonly baseDir: string;
  readonly version: 1;
  readonly teams: Readonly<Record<string, TeamConfig>>;
  readonly users: Readonly<Record<string, UserConfig>>;
  readonly servers: Readonly<Record<string, ServerConfig>>;
  readonly storage: Readonly<Record<string, StorageConfig>>;
  readonly databases: Readonly<Record<string, DatabaseConfig>>;
  readonly notifications: Readonly<Record<string, NotificationChannel>>;
  readonly policy: PolicyConfig;
  /** Keys of the file that Lifeboat accepts but does not act on yet, to be said at load (not-yet.ts). */
  readonly warnings: readonly ConfigWarning[];
  readonly audit: AuditConfig;
  readonly dr: DrConfig;
  /** `server.public_url`: the base of links in notifications (absent: the listen address). */
  readonly publicUrl?: string;
  /** `server.metrics_token`: the bearer token /metrics requires (absent: /metrics is open). */
  readonly metricsToken?: Secret;
}

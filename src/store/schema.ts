// The control-plane store's tables, as Kysely sees them. Each capability adds its tables here and
// a migration under ./migrations; the migration is the source of truth, this is its typed view.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface InstanceTable {
  id: Generated<string>;
  singleton: ColumnType<boolean, boolean | undefined, never>;
  created_at: Generated<Date>;
  version: string;
}

export interface WorkerTable {
  id: string;
  labels: string[];
  hostname: string;
  pid: number;
  started_at: Timestamp;
  heartbeat_at: Timestamp;
  stopped_at: Timestamp | null;
  /** `<host>:<data directory>` of the process: its own previous process has the same. */
  instance: string | null;
}

export interface ApiTokenTable {
  id: Generated<string>;
  user_name: string;
  token_hash: string;
  prefix: string;
  description: string | null;
  created_by: string;
  created_at: Generated<Date>;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface SignInCodeTable {
  id: Generated<string>;
  user_name: string;
  code_hash: string;
  created_by: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface AuditEventTable {
  seq: Generated<number>;
  id: string;
  at: Timestamp;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  outcome: string;
  details: ColumnType<Record<string, unknown>, string, string>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface BackupTable {
  id: string;
  database: string;
  server: string;
  storage: string;
  status: string;
  trigger: string;
  requested_by: string;
  created_at: Generated<Date>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  bytes: number | null;
  rows: number | null;
  manifest: ColumnType<unknown, string | null, string | null> | null;
  error: string | null;
  verified_at: Timestamp | null;
  verify_error: string | null;
  log: Generated<string>;
  deleted_at: Timestamp | null;
  worker_id: string | null;
  heartbeat_at: Timestamp | null;
  /** The T of a backup of the database as it was then (trigger pitr; migration 0018). */
  point_in_time: Timestamp | null;
  /** Where a running backup is (src/backup/progress.ts; migration 0018). */
  progress: ColumnType<unknown, string | null | undefined, string | null> | null;
}

type Json<T = unknown> = ColumnType<T, string | undefined, string>;

export interface RestoreRunTable {
  id: Generated<number>;
  database: string;
  owner_team: string;
  source_server: string;
  destination_server: string;
  destination_dbname: string;
  destination_tier: string;
  identifier: string;
  backup_id: string | null;
  point_in_time: Timestamp | null;
  tables: string[] | null;
  status: string;
  requested_by: string;
  justification: string | null;
  start_at: Timestamp | null;
  approvals_required: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  confirmed_at: Timestamp | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  phase: string | null;
  progress: Json<Record<string, unknown>>;
  checks: Json<unknown[]>;
  preview: ColumnType<unknown, string | null | undefined, string | null> | null;
  warnings: Json<unknown[]>;
  error: string | null;
  error_step: string | null;
  log: Generated<string>;
  worker_id: string | null;
  heartbeat_at: Timestamp | null;
  cancel_requested_at: Timestamp | null;
  cancel_requested_by: string | null;
  staging_dbname: string | null;
  previous_dbname: string | null;
  previous_expires_at: Timestamp | null;
  previous_dropped_at: Timestamp | null;
  undone_at: Timestamp | null;
  plan_hash: string | null;
  acknowledged_at: Timestamp | null;
  submitted_at: Timestamp | null;
  approved_at: Timestamp | null;
  expires_at: Timestamp | null;
  /** When the run last became `queued`: its place in its team's queue. */
  queued_at: Timestamp | null;
}

export interface RestoreApprovalTable {
  id: Generated<number>;
  run_id: number;
  approver: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  plan_hash: string;
  override: Generated<boolean>;
  created_at: Generated<Date>;
  voided_at: Timestamp | null;
  void_reason: string | null;
}

export interface DestinationLockTable {
  destination: string;
  run_id: number;
  acquired_at: Generated<Date>;
}

export interface DrillTable {
  id: Generated<number>;
  database: string;
  owner_team: string;
  backup_id: string;
  target_server: string;
  scratch_dbname: string;
  status: string;
  trigger: string;
  requested_by: string;
  created_at: Generated<Date>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  restore_ms: ColumnType<string | null, number | null | undefined, number | null>;
  bytes: ColumnType<string | null, number | null | undefined, number | null>;
  rows: ColumnType<string | null, number | null | undefined, number | null>;
  checks: ColumnType<unknown[], string | undefined, string>;
  error: string | null;
  error_step: string | null;
  kept_dbname: string | null;
  evidence: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  log: ColumnType<string, string | undefined, unknown>;
  worker_id: string | null;
  heartbeat_at: Timestamp | null;
  /** The scratch database is still to be dropped (a lost or cancelled drill; 0017). */
  drop_scratch: Generated<boolean>;
}

export interface SchemaSnapshotTable {
  id: Generated<string>;
  database: string;
  taken_at: Generated<Date>;
  taken_by: string;
  fingerprint: string;
  object_count: number;
  document: Json;
  accepted_at: Timestamp | null;
  accepted_by: string | null;
  comment: string | null;
}

export interface SchemaDriftReportTable {
  id: Generated<string>;
  database: string;
  checked_at: Generated<Date>;
  checked_by: string;
  reference: string;
  reference_fingerprint: string;
  live_fingerprint: string;
  drift: boolean;
  changes: Json<unknown[]>;
}

/** A breach of a recovery SLO (src/slo/); open while `closed_at` is null. */
export interface SloBreachTable {
  id: Generated<string>;
  database: string;
  slo: string;
  opened_at: Date;
  closed_at: Timestamp | null;
  message: string;
  details: ColumnType<Record<string, unknown>, string, string>;
}

export interface IncidentTable {
  id: Generated<number>;
  database: string;
  owner_team: string;
  status: string;
  source: string;
  reason: string | null;
  declared_by: string;
  declared_at: Generated<Date>;
  started_at: Timestamp;
  alert_fingerprint: string | null;
  alert_name: string | null;
  alert_labels: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
  plan: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  planned_at: Timestamp | null;
  instance: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  recovered_at: Timestamp | null;
  error: string | null;
  error_step: string | null;
  evidence: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  worker_id: string | null;
  heartbeat_at: Timestamp | null;
  /** The execution's current step (DrStep). */
  step: string | null;
  /** A new instance's directory still to be removed if its worker is lost, on `scratch_host`. */
  scratch_dir: string | null;
  scratch_host: string | null;
}

export interface IncidentTimelineTable {
  id: Generated<number>;
  incident_id: number;
  at: ColumnType<Date, Date | undefined, Date>;
  kind: string;
  message: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface Database {
  physical_backups: PhysicalBackupTable;
  incidents: IncidentTable;
  incident_timeline: IncidentTimelineTable;
  drills: DrillTable;
  slo_breaches: SloBreachTable;
  schema_snapshots: SchemaSnapshotTable;
  schema_drift_reports: SchemaDriftReportTable;
  restore_runs: RestoreRunTable;
  restore_approvals: RestoreApprovalTable;
  destination_locks: DestinationLockTable;
  backups: BackupTable;
  api_tokens: ApiTokenTable;
  sign_in_codes: SignInCodeTable;
  audit_events: AuditEventTable;
  lifeboat_instance: InstanceTable;
  workers: WorkerTable;
  notification_events: NotificationEventTable;
  notifications: NotificationTable;
}

export interface NotificationEventTable {
  id: Generated<number>;
  type: string;
  subject_type: string;
  subject_id: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  created_at: Generated<Date>;
  routed_at: Timestamp | null;
}

export interface NotificationTable {
  id: Generated<number>;
  event_id: number;
  idempotency_key: string;
  channel: string;
  kind: string;
  event: string;
  subject: string;
  payload: ColumnType<unknown, string, string>;
  status: Generated<string>;
  attempts: Generated<number>;
  max_attempts: number;
  next_attempt_at: Timestamp;
  claimed_until: Timestamp | null;
  claimed_by: string | null;
  last_error: string | null;
  history: ColumnType<unknown[], string | undefined, string>;
  delivered_at: Timestamp | null;
  created_at: Generated<Date>;
}

/** A pgBackRest backup of a server's stanza (migration 0015). */
export interface PhysicalBackupTable {
  server: string;
  label: string;
  stanza: string;
  /** full | diff | incr */
  type: string;
  /** The label this backup depends on (diff, incr). */
  prior: string | null;
  started_at: Timestamp;
  stopped_at: Timestamp;
  start_lsn: string | null;
  stop_lsn: string | null;
  wal_start: string | null;
  wal_stop: string | null;
  size: number | null;
  delta: number | null;
  repo_size: number | null;
  repo_delta: number | null;
  /** Exceeds 2^53: text, exact. */
  system_id: string;
  pg_version: string | null;
  trigger: Generated<string>;
  requested_by: string | null;
  /** unverified | verified | failed */
  verify_status: Generated<string>;
  verify_error: string | null;
  verified_at: Timestamp | null;
  recorded_at: Generated<Date>;
  /** When `info` no longer listed it (expired by retention). */
  expired_at: Timestamp | null;
}

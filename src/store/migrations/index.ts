// Every migration, in order. Listed in code (not read from a folder) so that the compiled CLI
// carries them. Names sort in application order; never rename or edit one that has shipped.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_identity_audit.js';
import * as m0003 from './0003_backups.js';
import * as m0004 from './0004_restore_runs.js';
import * as m0005 from './0005_change_feed.js';
import * as m0006 from './0006_backup_ownership.js';
import * as m0007 from './0007_self_service.js';
import * as m0008 from './0008_run_queue_order.js';
import * as m0009 from './0009_sign_in_codes.js';
import * as m0010 from './0010_outbox.js';
import * as m0011 from './0011_schema_snapshots.js';
import * as m0012 from './0012_drills.js';
import * as m0013 from './0013_slo_breaches.js';
import * as m0015 from './0015_physical_backups.js';
import * as m0016 from './0016_incidents.js';
import * as m0017 from './0017_drill_scratch.js';
import * as m0018 from './0018_backup_progress.js';
import * as m0019 from './0019_incident_scratch.js';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_identity_audit': m0002,
  '0003_backups': m0003,
  '0004_restore_runs': m0004,
  '0005_change_feed': m0005,
  '0006_backup_ownership': m0006,
  '0007_self_service': m0007,
  '0008_run_queue_order': m0008,
  '0009_sign_in_codes': m0009,
  '0010_outbox': m0010,
  '0011_schema_snapshots': m0011,
  '0012_drills': m0012,
  '0013_slo_breaches': m0013,
  '0015_physical_backups': m0015,
  '0016_incidents': m0016,
  '0017_drill_scratch': m0017,
  '0018_backup_progress': m0018,
  '0019_incident_scratch': m0019,
};

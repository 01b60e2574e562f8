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
}

export interface Database {
  lifeboat_instance: InstanceTable;
  workers: WorkerTable;
}

// The job handlers a worker runs, by queue name. Each capability contributes its handlers here.
import type PgBoss from 'pg-boss';
import type { Catalog } from '../catalog/types.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../store/db.js';
import type { JobHandler } from '../worker/worker.js';

export interface JobDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
  logger: Logger;
}

export function jobHandlers(_deps: JobDeps): Record<string, JobHandler> {
  return {};
}

// What the HTTP layer is given: the store, the queue and the catalog, passed in (STYLE.md §7).
import type PgBoss from 'pg-boss';
import type { TrustedKey } from '../audit/signing-key.js';
import type { LiveCatalog } from '../catalog/live.js';
import type { Catalog } from '../catalog/types.js';
import type { ChangeFeed } from '../store/changes.js';
import type { Db } from '../store/db.js';

export interface HttpDeps {
  db: Db;
  queue: PgBoss | undefined;
  /**
   * The configuration in force. With `config`, pass a getter that reads `config.current`: every
   * access then sees a reload, so read it where it is used, not once at registration.
   */
  readonly catalog: Catalog;
  /** Where the catalog comes from: reloading it, and noticing when the file on disk differs. */
  config?: LiveCatalog;
  startedAt: Date;
  /** Public base URL, for links in notifications. */
  publicUrl: string;
  /** Wakes a worker of this process for a queue a job was just put on (others poll). */
  wake?: (queue: string) => void;
  /** The store's change feed, for answering as soon as a backup or run changes (else: polling). */
  changes?: ChangeFeed;
  /** The public key audit checkpoints are verified with (absent: the trail cannot be anchored). */
  auditKey?: TrustedKey;
}

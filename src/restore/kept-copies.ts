// Kept previous copies: the database a swap replaced stays beside the destination as
// `<db>__lb_prev_<run>`, an instant undo. Each one is as big as the destination, so they are
// dropped once their `keep_previous` time is over (the maintenance job) and, per destination,
// beyond the newest `keep_previous_count` (right after each swap, and by the maintenance job) —
// except the copy a restore into production replaced, which is always kept (PRODUCT.md journey 5:
// an emergency rollback must stay undoable) until a DBA drops it.
// Which copies go is a pure decision; dropping, recording it and sizing them is the I/O here.
import type { Catalog } from '../catalog/types.js';
import { recordAudit } from '../audit/record.js';
import { databaseSizes, dropDatabase, withAdmin } from '../engines/postgres/admin.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../store/db.js';
import { TERMINAL_STATUSES } from './lifecycle.js';
import { destinationKey } from './lock.js';

export interface KeptCopy {
  runId: number;
  /** `<server>/<dbname>` of the destination the copy was replaced in. */
  destination: string;
  /** The kept copy's own name on the destination server. */
  dbname: string;
  /** When it became a kept copy (its run's swap, or the undo that moved it aside). */
  keptAt: Date;
  expiresAt: Date | null;
  /** keep_previous_count of the run's database. */
  keepCount: number;
  /**
   * A copy a restore into production replaced (an emergency rollback): kept whatever
   * keep_previous and keep_previous_count say, until someone drops it by hand (optional: false).
   */
  pinned?: boolean;
}

export type DropReason = 'expired' | 'over_count';

/**
 * The kept copies to drop, with why: per destination, the newest copies are kept up to the
 * keep_previous_count of the newest one's database (never fewer than one, so the copy a swap
 * has just kept always stays), and any copy past its keep_previous time goes. Pure.
 */
export function keptCopiesToDrop(
  copies: readonly KeptCopy[],
  now: Date,
): Array<{ copy: KeptCopy; reason: DropReason; keepCount: number }> {
  const byDestination = new Map<string, KeptCopy[]>();
  for (const c of copies) byDestination.set(c.destination, [...(byDestination.get(c.destination) ?? []), c]);
  const out: Array<{ copy: KeptCopy; reason: DropReason; keepCount: number }> = [];
  for (const group of byDestination.values()) {
    group.sort((a, b) => b.keptAt.getTime() - a.keptAt.getTime() || b.runId - a.runId);
    const keep = Math.max(1, group[0]!.keepCount);
    for (const [i, copy] of group.entries()) {
      if (copy.pinned) continue;
      if (i >= keep) out.push({ copy, reason: 'over_count', keepCount: keep });
      else if (copy.expiresAt !== null && copy.expiresAt.getTime() <= now.getTime())
        out.push({ copy, reason: 'expired', keepCount: keep });
    }
  }
  return out;
}

export interface DropOptions {
  now?: Date;
  /** Only this destination's copies (after a swap into it). */
  destination?: { server: string; dbname: string };
  /** The run whose swap has just kept a copy: still running, counted as the newest, never dropped. */
  justKept?: number;
  actor?: string;
  /** Where to say what was dropped (the run log of the swap that caused it). */
  log?: (line: string) => void;
}

/**
 * Drops the kept copies `keptCopiesToDrop` picks; each is recorded (`previous_dropped_at`) and
 * audited. A copy that cannot be dropped (its server is down) is left for the next pass.
 */
export async function dropKeptCopies(
  deps: { db: Db; catalog: Catalog; logger: Logger },
  opts: DropOptions = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  let q = deps.db
    .selectFrom('restore_runs')
    .selectAll()
    .where('previous_dbname', 'is not', null)
    .where('previous_dropped_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('status', 'in', [...TERMINAL_STATUSES]),
        ...(opts.justKept !== undefined ? [eb('id', '=', opts.justKept)] : []),
      ]),
    );
  if (opts.destination) {
    q = q
      .where('destination_server', '=', opts.destination.server)
      .where('destination_dbname', '=', opts.destination.dbname);
  }
  const rows = await q.execute();
  const copies: KeptCopy[] = rows.map((r) => ({
    runId: Number(r.id),
    destination: destinationKey(r.destination_server, r.destination_dbname),
    dbname: r.previous_dbname!,
    keptAt: r.undone_at ?? r.finished_at ?? now,
    expiresAt: r.previous_expires_at,
    keepCount: deps.catalog.databases[r.database]?.keepPreviousCount ?? 1,
    pinned: r.destination_tier === 'production',
  }));
  let dropped = 0;
  for (const { copy, reason, keepCount } of keptCopiesToDrop(copies, now)) {
    if (copy.runId === opts.justKept) continue;
    const row = rows.find((r) => Number(r.id) === copy.runId)!;
    const server = deps.catalog.servers[row.destination_server];
    if (!server) continue;
    try {
      await withAdmin(server.url, (c) => dropDatabase(c, copy.dbname));
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('restore_runs')
          .set({ previous_dropped_at: new Date() })
          .where('id', '=', copy.runId)
          .execute();
        await recordAudit(trx, {
          actor: opts.actor ?? 'scheduler',
          action: 'restore.drop_previous',
          subjectType: 'run',
          subjectId: String(copy.runId),
          details: {
            dbname: copy.dbname,
            destination: copy.destination,
            reason,
            ...(reason === 'over_count' ? { keepPreviousCount: keepCount } : {}),
          },
        });
      });
      opts.log?.(
        `dropped the kept copy ${copy.dbname} of run ${copy.runId} (${reason === 'expired' ? 'keep_previous is over' : 'beyond keep_previous_count'})`,
      );
      dropped++;
    } catch (err) {
      opts.log?.(`could not drop the kept copy ${copy.dbname} of run ${copy.runId}: ${messageOf(err)}`);
      deps.logger.warn({ runId: copy.runId, err: messageOf(err) }, 'could not drop a kept previous copy');
    }
  }
  return dropped;
}

/**
 * The size on disk of each run's kept copy (pg_database_size), by run id; null when its server
 * cannot be asked or the copy is gone. Listing runs must not fail because a server is down.
 */
export async function keptCopySizes(
  catalog: Catalog,
  runs: ReadonlyArray<{
    id: number;
    destination_server: string;
    previous_dbname: string | null;
    previous_dropped_at: Date | null;
  }>,
): Promise<Map<number, number | null>> {
  const sizes = new Map<number, number | null>();
  const byServer = new Map<string, typeof runs>();
  for (const r of runs) {
    if (r.previous_dbname === null || r.previous_dropped_at !== null) continue;
    byServer.set(r.destination_server, [...(byServer.get(r.destination_server) ?? []), r]);
  }
  for (const [name, group] of byServer) {
    const server = catalog.servers[name];
    const found = server
      ? await withAdmin(
          server.url,
          (c) =>
            databaseSizes(
              c,
              group.map((r) => r.previous_dbname!),
            ),
          {
            connectTimeoutMs: 3000,
          },
        ).catch(() => new Map<string, number>())
      : new Map<string, number>();
    for (const r of group) sizes.set(Number(r.id), found.get(r.previous_dbname!) ?? null);
  }
  return sizes;
}

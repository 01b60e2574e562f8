// Names of the databases a run creates beside the destination. PostgreSQL names are at most 63
// bytes, so long destination names are shortened, keeping the run id that makes them unique.
// The markers are Lifeboat's own: no restore may use a name containing one as its destination
// (destination-rule.ts), so a staging database or a kept copy is never the target of a swap.
export const STAGING_MARKER = '__lb_staging_';
export const PREVIOUS_MARKER = '__lb_prev_';
export const UNDONE_MARKER = '__lb_undone_';
/** A drill's scratch database (src/drills), on a non-production server. */
export const DRILL_MARKER = '__lb_drill_';
export const RESERVED_MARKERS = [STAGING_MARKER, PREVIOUS_MARKER, UNDONE_MARKER, DRILL_MARKER] as const;

/** PostgreSQL's NAMEDATALEN - 1: a longer name is silently truncated by the server. */
export const MAX_NAME_BYTES = 63;

export function stagingName(dbname: string, runId: number): string {
  return fit(`${dbname}${STAGING_MARKER}${runId}`, `${STAGING_MARKER}${runId}`);
}

/** `attempt` > 1 when the first name is taken (a database left by another Lifeboat store, say). */
export function previousName(dbname: string, runId: number, attempt = 1): string {
  const suffix = `${PREVIOUS_MARKER}${runId}${attempt > 1 ? `_${attempt}` : ''}`;
  return fit(`${dbname}${suffix}`, suffix);
}

/** Where `restore undo <run>` moves the database it replaces (the run's restored copy). */
export function undoneName(dbname: string, runId: number): string {
  return fit(`${dbname}${UNDONE_MARKER}${runId}`, `${UNDONE_MARKER}${runId}`);
}

/** The scratch database drill `drillId` restores into (and drops). */
export function drillName(dbname: string, drillId: number): string {
  return fit(`${dbname}${DRILL_MARKER}${drillId}`, `${DRILL_MARKER}${drillId}`);
}

function fit(name: string, suffix: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  let base = name.slice(0, name.length - suffix.length);
  while (Buffer.byteLength(base + suffix) > MAX_NAME_BYTES) base = base.slice(0, -1);
  return base + suffix;
}

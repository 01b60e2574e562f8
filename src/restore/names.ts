// Names of the databases a run creates beside the destination. PostgreSQL names are at most 63
// bytes, so long destination names are shortened, keeping the run id that makes them unique.
export function stagingName(dbname: string, runId: number): string {
  return fit(`${dbname}__lb_staging_${runId}`, `__lb_staging_${runId}`);
}

/** `attempt` > 1 when the first name is taken (a database left by another Lifeboat store, say). */
export function previousName(dbname: string, runId: number, attempt = 1): string {
  const suffix = `__lb_prev_${runId}${attempt > 1 ? `_${attempt}` : ''}`;
  return fit(`${dbname}${suffix}`, suffix);
}

function fit(name: string, suffix: string): string {
  if (Buffer.byteLength(name) <= 63) return name;
  let base = name.slice(0, name.length - suffix.length);
  while (Buffer.byteLength(base + suffix) > 63) base = base.slice(0, -1);
  return base + suffix;
}

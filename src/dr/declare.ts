// Declaring a disaster: by hand (`lifeboat dr declare`) or by a firing Alertmanager alert that a
// trigger maps to a database. The incident, its first timeline entries, its audit event and its
// notification are written in one transaction. An alert opens one incident per fingerprint: a
// repeat notification (or a group re-sent) finds the open incident and opens nothing (the
// fingerprint is locked while it is looked up, and a partial unique index backs it up).
import { sql } from 'kysely';
import { recordAudit } from '../audit/record.js';
import { getDatabase } from '../catalog/lookup.js';
import type { Catalog } from '../catalog/types.js';
import { recordEvent } from '../notify/events.js';
import type { Db } from '../store/db.js';
import { incidentFacts } from './facts.js';
import { addTimeline } from './incident-state.js';

export interface Declaration {
  database: string;
  reason?: string;
  actor: string;
  requestId?: string | null;
  /** The alert that declares it (absent: declared by hand, the incident starts now). */
  alert?: { fingerprint: string; name: string; labels: Record<string, string>; startsAt: Date };
}

export async function declareIncident(
  db: Db,
  catalog: Catalog,
  d: Declaration,
): Promise<{ id: number; created: boolean }> {
  const database = getDatabase(catalog, d.database);
  return db.transaction().execute(async (trx) => {
    if (d.alert) {
      await sql`select pg_advisory_xact_lock(hashtext(${`lifeboat-incident:${d.alert.fingerprint}`}))`.execute(trx);
      const open = await trx
        .selectFrom('incidents')
        .select('id')
        .where('alert_fingerprint', '=', d.alert.fingerprint)
        .where('status', 'not in', ['recovered', 'closed'])
        .executeTakeFirst();
      if (open) return { id: Number(open.id), created: false };
    }
    const now = new Date();
    // an alert that says it started in the future (clock skew) starts the clock now
    const startedAt = d.alert && d.alert.startsAt.getTime() <= now.getTime() ? d.alert.startsAt : now;
    const row = await trx
      .insertInto('incidents')
      .values({
        database: database.name,
        owner_team: database.owner,
        status: 'declared',
        source: d.alert ? 'alertmanager' : 'manual',
        reason: d.reason ?? null,
        declared_by: d.actor,
        declared_at: now,
        started_at: startedAt,
        alert_fingerprint: d.alert?.fingerprint ?? null,
        alert_name: d.alert?.name ?? null,
        alert_labels: d.alert ? JSON.stringify(d.alert.labels) : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    if (d.alert) {
      await addTimeline(trx, id, {
        kind: 'alert',
        at: startedAt,
        message: `alert ${d.alert.name} firing (fingerprint ${d.alert.fingerprint})`,
        details: { labels: d.alert.labels, startsAt: d.alert.startsAt.toISOString() },
      });
    }
    await addTimeline(trx, id, {
      kind: 'declared',
      at: now,
      message: `${database.name} declared lost by ${d.actor}${d.reason ? `: ${d.reason}` : ''}; the RTO clock started at ${startedAt.toISOString()}`,
      details: { actor: d.actor, reason: d.reason ?? null },
    });
    await recordAudit(trx, {
      actor: d.actor,
      action: 'dr.declare',
      subjectType: 'incident',
      subjectId: String(id),
      details: {
        database: database.name,
        reason: d.reason ?? null,
        startedAt: startedAt.toISOString(),
        ...(d.alert ? { alert: d.alert.name, fingerprint: d.alert.fingerprint } : {}),
      },
      requestId: d.requestId ?? null,
    });
    await recordEvent(trx, {
      type: 'dr.declared',
      data: incidentFacts(row, { actor: d.actor, status: 'declared' }),
      subjectType: 'incident',
      subjectId: String(id),
    });
    return { id, created: true };
  });
}

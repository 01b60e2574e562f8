// Alertmanager's webhook, received: each firing alert that a `dr.triggers` entry matches opens an
// incident for that entry's database (once per fingerprint: declare.ts); a resolved alert
// annotates the timeline of its incident (once per resolution); an alert no trigger matches is
// answered (Alertmanager must not retry it) and said in the log with the reason.
import type { Catalog, DrTrigger } from '../catalog/types.js';
import type { AlertmanagerPayload, AlertsReceived } from '../contract/dr.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../store/db.js';
import { declareIncident } from './declare.js';
import { addTimeline } from './incident-state.js';

/** The first trigger whose every label matches exactly (pure). */
export function matchTrigger(
  labels: Readonly<Record<string, string>>,
  triggers: readonly DrTrigger[],
): DrTrigger | undefined {
  return triggers.find((t) => Object.entries(t.match).every(([k, v]) => labels[k] === v));
}

export async function receiveAlerts(
  deps: { db: Db; catalog: Catalog; logger: Logger },
  payload: AlertmanagerPayload,
): Promise<AlertsReceived> {
  const out: AlertsReceived['alerts'] = [];
  for (const alert of payload.alerts) {
    const alertname = alert.labels.alertname ?? null;
    const base = { fingerprint: alert.fingerprint, alertname };
    if (alert.status === 'firing') {
      const trigger = matchTrigger(alert.labels, deps.catalog.dr.triggers);
      if (!trigger) {
        const reason = deps.catalog.dr.triggers.length
          ? 'no dr.triggers entry matches its labels'
          : 'lifeboat.yaml has no dr.triggers';
        deps.logger.info({ ...base, labels: alert.labels, reason }, 'alert ignored');
        out.push({ ...base, outcome: 'ignored', incident: null, reason });
        continue;
      }
      const startsAt = new Date(alert.startsAt);
      const { id, created } = await declareIncident(deps.db, deps.catalog, {
        database: trigger.database,
        actor: 'alertmanager',
        reason:
          alert.annotations?.summary ?? alert.annotations?.description ?? `alert ${alertname ?? alert.fingerprint}`,
        alert: {
          fingerprint: alert.fingerprint,
          name: alertname ?? alert.fingerprint,
          labels: alert.labels,
          startsAt: Number.isNaN(startsAt.getTime()) ? new Date() : startsAt,
        },
      });
      out.push({ ...base, outcome: created ? 'opened' : 'repeat', incident: id, reason: null });
      continue;
    }
    // resolved: the newest incident this alert opened, annotated once per resolution
    const incident = await deps.db
      .selectFrom('incidents')
      .select('id')
      .where('alert_fingerprint', '=', alert.fingerprint)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!incident) {
      const reason = 'no incident was opened for this alert';
      deps.logger.info({ ...base, reason }, 'resolved alert ignored');
      out.push({ ...base, outcome: 'ignored', incident: null, reason });
      continue;
    }
    const id = Number(incident.id);
    const endsAt = alert.endsAt ?? null;
    const seen = await deps.db
      .selectFrom('incident_timeline')
      .select('id')
      .where('incident_id', '=', id)
      .where('kind', '=', 'alert_resolved')
      .where((eb) => eb(eb.ref('details', '->>').key('endsAt'), '=', endsAt ?? ''))
      .executeTakeFirst();
    if (!seen) {
      await addTimeline(deps.db, id, {
        kind: 'alert_resolved',
        message: `alert ${alertname ?? alert.fingerprint} resolved${endsAt ? ` at ${endsAt}` : ''} (the incident stays open until it is recovered)`,
        details: { endsAt: endsAt ?? '' },
      });
    }
    out.push({ ...base, outcome: 'resolved', incident: id, reason: null });
  }
  return { alerts: out };
}

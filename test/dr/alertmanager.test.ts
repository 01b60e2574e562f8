// Incidents from a real Alertmanager (prometheus-alertmanager 0.25, clustering off, on loopback):
// a firing alert that dr.triggers maps to CustomerDB opens one incident, whatever Alertmanager
// re-sends; resolving it annotates the incident's timeline; an alert no trigger matches is
// answered 200 and ignored with the reason; a wrong or missing token is refused with 401.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertsReceived } from '../../src/contract/dr.js';
import { startAlertmanager, type TestAlertmanager } from '../harness/alertmanager.js';
import { fixtureConfig } from '../harness/fixtures.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';

const TOKEN = 'am-token-0123456789abcdef';
const ENV = {
  PROD_PG01_URL: 'postgres://postgres:unused@127.0.0.1:1/postgres',
  DEV_PG01_URL: 'postgres://postgres:unused@127.0.0.1:2/postgres',
  AM_TOKEN: TOKEN,
};
const DR = `dr:
  alertmanager_token: env:AM_TOKEN
  triggers:
    - match: { alertname: PostgresDown, instance: prod-pg01 }
      database: CustomerDB
`;

let lb: TestLifeboat;
let am: TestAlertmanager;
beforeAll(async () => {
  lb = await startTestLifeboat(fixtureConfig({ extra: DR }), ENV, { worker: false });
  am = await startAlertmanager({
    webhookUrl: `${lb.url}/api/v1/alerts/alertmanager`,
    token: TOKEN,
    // Alertmanager re-sends a still-firing group every 2 s: each one must find the open incident
    repeatInterval: '2s',
  });
});
afterAll(async () => {
  await am?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const incidents = () => lb.store.db.selectFrom('incidents').selectAll().orderBy('id').execute();
const timeline = (id: number) =>
  lb.store.db.selectFrom('incident_timeline').selectAll().where('incident_id', '=', id).orderBy('id').execute();

function payload(alerts: object[]) {
  return { version: '4', status: 'firing', receiver: 'lifeboat', groupKey: '{}', alerts };
}
async function postDirect(body: object, auth?: string) {
  const r = await fetch(`${lb.url}/api/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('Alertmanager → incidents', () => {
  test('a wrong or missing bearer token is refused with 401, and opens nothing', async () => {
    const alert = {
      status: 'firing',
      labels: { alertname: 'PostgresDown', instance: 'prod-pg01' },
      startsAt: new Date().toISOString(),
      fingerprint: 'aaaa',
    };
    const wrong = await postDirect(payload([alert]), 'Bearer not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      error: {
        code: 'unauthenticated',
        message: 'the alert webhook needs the bearer token of dr.alertmanager_token',
      },
    });
    expect((await postDirect(payload([alert]))).status).toBe(401);
    expect(await incidents()).toEqual([]);
  });

  test('an alert no trigger matches is answered 200 and ignored, with the reason', async () => {
    const r = await postDirect(
      payload([
        {
          status: 'firing',
          labels: { alertname: 'DiskFull', instance: 'prod-pg01' },
          startsAt: new Date().toISOString(),
          fingerprint: 'bbbb',
        },
      ]),
      `Bearer ${TOKEN}`,
    );
    expect(r.status).toBe(200);
    expect(r.body as AlertsReceived).toEqual({
      alerts: [
        {
          fingerprint: 'bbbb',
          alertname: 'DiskFull',
          outcome: 'ignored',
          incident: null,
          reason: 'no dr.triggers entry matches its labels',
        },
      ],
    });
    expect(await incidents()).toEqual([]);
  });

  test('firing opens one incident per fingerprint (repeats open none); resolved annotates its timeline', async () => {
    const startsAt = new Date(Date.now() - 30_000);
    startsAt.setMilliseconds(0);
    const alert = {
      labels: { alertname: 'PostgresDown', instance: 'prod-pg01', severity: 'critical' },
      annotations: { summary: 'prod-pg01 does not answer' },
      startsAt: startsAt.toISOString(),
    };
    await am.post([alert]);
    const [incident] = await until('the incident', async () => {
      const all = await incidents();
      return all.length ? all : undefined;
    });
    expect(incident).toMatchObject({
      database: 'CustomerDB',
      owner_team: 'team-alpha',
      status: 'declared',
      source: 'alertmanager',
      reason: 'prod-pg01 does not answer',
      declared_by: 'alertmanager',
      alert_name: 'PostgresDown',
    });
    // the RTO clock starts at the alert's startsAt
    expect(new Date(incident!.started_at).toISOString()).toBe(startsAt.toISOString());
    const id = Number(incident!.id);

    // the same alert posted again, and Alertmanager's own repeats (every 2 s): still one incident
    await am.post([alert]);
    const sent = () => am.metric('alertmanager_notifications_total', { integration: 'webhook' });
    await until('three notifications', async () => ((await sent()) >= 3 ? true : undefined));
    expect((await incidents()).length).toBe(1);

    // resolved (endsAt in the past): the timeline says so, once
    await am.post([{ ...alert, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    const entries = await until('the resolution', async () => {
      const t = await timeline(id);
      return t.some((e) => e.kind === 'alert_resolved') ? t : undefined;
    });
    expect(entries.map((e) => e.kind)).toEqual(['alert', 'declared', 'alert_resolved']);
    expect(entries[0]!.message).toMatch(/^alert PostgresDown firing \(fingerprint [0-9a-f]+\)$/);
    expect(entries[2]!.message).toMatch(
      /^alert PostgresDown resolved at \S+ \(the incident stays open until it is recovered\)$/,
    );
    expect((await incidents()).length).toBe(1);
    // every notification was answered 2xx
    expect(await am.metric('alertmanager_notifications_failed_total', { integration: 'webhook' })).toBe(0);

    // declared: audited and notified in the same transaction
    const audit = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'action'])
      .where('subject_type', '=', 'incident')
      .execute();
    expect(audit).toEqual([{ actor: 'alertmanager', action: 'dr.declare' }]);
    const events = await lb.store.db
      .selectFrom('notification_events')
      .select(['type', 'subject_id'])
      .where('subject_type', '=', 'incident')
      .execute();
    expect(events).toEqual([{ type: 'dr.declared', subject_id: String(id) }]);
  });
});

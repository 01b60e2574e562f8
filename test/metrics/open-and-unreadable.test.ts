// /metrics without `server.metrics_token` is open (and valid on a store with nothing in it yet);
// a store that cannot be read does not fail the scrape: lifeboat_store_up says 0 and the
// store-derived series are absent, the reason (which may name the store's host) is not shown.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { Secret } from '../../src/lib/secret.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { createDb, createPool } from '../../src/store/db.js';
import { fixtureConfig } from '../harness/fixtures.js';
import { startTestLifeboat } from '../harness/lifeboat.js';
import { promtoolCheckMetrics } from '../harness/prometheus.js';

// the servers' URLs are only resolved, never connected to: nothing here backs up or restores
const ENV = { PROD_PG01_URL: 'postgres://u:p@127.0.0.1:9/prod', DEV_PG01_URL: 'postgres://u:p@127.0.0.1:9/dev' };

describe('/metrics', () => {
  it('is open without a metrics token, and valid on an empty store', async () => {
    const lb = await startTestLifeboat(fixtureConfig(), ENV, { worker: false });
    const res = await fetch(`${lb.url}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    const check = await promtoolCheckMetrics(body);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(body).toMatch(/^lifeboat_store_up 1$/m);
    expect(body).toMatch(/^lifeboat_database_info\{database="CustomerDB",team="team-alpha"\} 1$/m);
    expect(body).toMatch(/^lifeboat_restore_runs\{status="completed"\} 0$/m);
    expect(body).not.toMatch(/^lifeboat_backup_newest_verified_age_seconds/m);
    await lb.stop();
  });

  it('answers with lifeboat_store_up 0 when the store cannot be read', async () => {
    const lb = await startTestLifeboat(fixtureConfig(), ENV, { worker: false });
    // a real client to a port nothing listens on: every query is refused
    const port = await freePort();
    const db = createDb(createPool(new Secret(`postgres://lifeboat:secret-pw@127.0.0.1:${port}/store`), { max: 1 }));
    try {
      const metrics = createMetrics({ db, catalog: lb.catalog });
      const body = await metrics.registry.metrics();
      expect(body).toMatch(/^lifeboat_store_up 0$/m);
      expect(body).not.toMatch(/^lifeboat_(database_info|restore_runs|backup_)/m);
      expect(body).toContain('# HELP lifeboat_restore_runs ');
      expect(body).not.toContain('secret-pw');
      expect(body).not.toContain(String(port));
      const check = await promtoolCheckMetrics(body);
      expect(check.code).toBe(0);
      // a store that answers again is read again at the next scrape (nothing is cached)
      const live = createMetrics({ db: lb.store.db, catalog: lb.catalog });
      expect(await live.registry.metrics()).toMatch(/^lifeboat_store_up 1$/m);
    } finally {
      await db.destroy();
      await lb.stop();
    }
  });
});

#!/usr/bin/env node
// bench/metrics: what a Prometheus scrape of /metrics costs as the control-plane store grows.
// The store-derived series are read at scrape time in one query (src/metrics/store-snapshot.ts);
// this fills a migrated store with synthetic history (backups, restore runs, drills, notification
// messages, spread over 20 databases) and times, in the same run, the whole registry rendered
// (`registry.metrics()`, what GET /metrics answers) against the baseline of one trivial query
// (`select 1`, the floor of any store round trip), on an empty store and on the filled one.
//
//   npm run build && node bench/metrics.mjs [--scale 1] [--runs 20]
//   (scale 1: 10 000 backups, 20 000 restore runs, 2 000 drills, 50 000 notification messages)
import { Buffer } from 'node:buffer';
import console from 'node:console';
import process from 'node:process';
import { sql } from 'kysely';
import { Secret } from '../dist/lib/secret.js';
import { createMetrics } from '../dist/metrics/registry.js';
import { createDb, createPool } from '../dist/store/db.js';
import { migrateToLatest } from '../dist/store/migrate.js';
import {
  cleanup,
  cleanupOnSignals,
  fmtRatio,
  formatTable,
  median,
  parseNumberArgs,
  startPostgres,
  tempDir,
} from './lib.mjs';

const { scale, runs } = parseNumberArgs(
  { scale: 1, runs: 20 },
  undefined,
  'node bench/metrics.mjs [--scale 1] [--runs 20]',
);
const DATABASES = 20;

cleanupOnSignals();
try {
  const root = tempDir('lifeboat-bench-metrics-');
  const pgc = await startPostgres(root);
  await pgc.query('postgres', 'create database store');
  const pool = createPool(new Secret(pgc.url('store')), { max: 2 });
  const db = createDb(pool);
  await migrateToLatest(db);
  const catalog = {
    databases: Object.fromEntries(
      Array.from({ length: DATABASES }, (_, i) => [`db${i}`, { name: `db${i}`, owner: `team${i % 4}` }]),
    ),
  };
  const metrics = createMetrics({ db, catalog });

  const time = async (fn) => {
    const xs = [];
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      await fn();
      xs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return median(xs);
  };
  const measure = async (label) => {
    const floor = await time(() => sql`select 1`.execute(db));
    const scrape = await time(() => metrics.registry.metrics());
    const bytes = Buffer.byteLength(await metrics.registry.metrics());
    return [
      label,
      `${floor.toFixed(2)} ms`,
      `${scrape.toFixed(2)} ms`,
      fmtRatio(scrape / floor),
      `${(bytes / 1024).toFixed(1)} KiB`,
    ];
  };

  const rows = [await measure('empty store')];

  const n = (k) => Math.round(k * scale);
  await sql`
    insert into backups (id, database, server, storage, status, trigger, requested_by, created_at, started_at, finished_at, bytes, verified_at)
    select 'b' || g, 'db' || (g % ${DATABASES}), 's', 'main',
           (array['verified', 'verified', 'verified', 'failed', 'corrupt', 'completed'])[1 + g % 6], 'schedule', 'scheduler',
           now() - g * interval '1 hour', now() - g * interval '1 hour', now() - g * interval '1 hour' + interval '90 seconds',
           1000000 + g, now() - g * interval '1 hour'
      from generate_series(1, ${n(10_000)}) g`.execute(db);
  await sql`
    insert into restore_runs (database, owner_team, source_server, destination_server, destination_dbname, destination_tier,
                              identifier, status, requested_by, created_at, submitted_at, approved_at, started_at, finished_at)
    select 'db' || (g % ${DATABASES}), 't', 's', 'd', 'copy' || g, 'development', 'd/copy' || g,
           (array['completed', 'completed', 'completed', 'failed', 'cancelled', 'previewed', 'rejected', 'expired'])[1 + g % 8],
           'user' || (g % 50), now() - g * interval '10 minutes', now() - g * interval '10 minutes',
           now() - g * interval '10 minutes' + interval '5 minutes', now() - g * interval '10 minutes' + interval '6 minutes',
           now() - g * interval '10 minutes' + interval '6 minutes' + (g % 3600) * interval '1 second'
      from generate_series(1, ${n(20_000)}) g`.execute(db);
  await sql`
    insert into drills (database, owner_team, backup_id, target_server, scratch_dbname, status, trigger, requested_by,
                        started_at, finished_at, restore_ms)
    select 'db' || (g % ${DATABASES}), 't', 'b' || g, 'd', 'scratch' || g, (array['passed', 'passed', 'failed'])[1 + g % 3],
           'schedule', 'scheduler', now() - g * interval '1 day', now() - g * interval '1 day' + interval '2 minutes', 60000 + g
      from generate_series(1, ${n(2_000)}) g`.execute(db);
  await sql`
    insert into notification_events (type, subject_type, subject_id, data)
    select 'restore.completed', 'run', g::text, '{}' from generate_series(1, ${n(50_000)}) g`.execute(db);
  await sql`
    insert into notifications (event_id, idempotency_key, channel, kind, event, subject, payload, status, max_attempts)
    select e.id, 'k' || e.id, 'chan' || (e.id % 5), (array['slack', 'teams', 'email', 'webhook'])[1 + e.id % 4],
           'restore.completed', 'run:' || e.id, '{}', (array['delivered', 'delivered', 'delivered', 'dead', 'pending'])[1 + e.id % 5], 5
      from notification_events e`.execute(db);
  await sql`analyze`.execute(db);

  rows.push(await measure(`filled (scale ${scale})`));
  console.log(formatTable(['store', 'select 1 (median)', 'GET /metrics body (median)', 'ratio', 'body size'], rows));
  await db.destroy();
} finally {
  await cleanup();
}

// The Prometheus registry of one API server (its own, never prom-client's global one): the
// families read from the store at scrape time (each source read once per scrape, all metrics of a
// source from that one read), the HTTP request durations observed in-process, and Node's default
// process metrics. A store that cannot be read leaves its families out and says so in
// `lifeboat_store_up`, instead of failing the scrape.
import { collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import type { Catalog } from '../catalog/types.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { redact } from '../lib/secret.js';
import type { Db } from '../store/db.js';
import { VERSION } from '../version.js';
import { type Family, type FamilyContext, STORE_FAMILIES } from './families.js';
import { readStoreSnapshot } from './store-snapshot.js';
import { readOpenBreaches, SLO_FAMILIES } from './slo-breaches.js';

/** What a source reads from the store once per scrape, and the families derived from it. */
export interface MetricSource<S> {
  name: string;
  read(db: Db): Promise<S>;
  families: ReadonlyArray<Family<S>>;
}

/** Every source of store-derived metrics: the catalogs' snapshot, and the SLOs' open breaches. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each source pairs its own snapshot type with its families
export const METRIC_SOURCES: ReadonlyArray<MetricSource<any>> = [
  { name: 'store', read: readStoreSnapshot, families: STORE_FAMILIES },
  { name: 'slo', read: readOpenBreaches, families: SLO_FAMILIES },
];

export interface MetricsDeps {
  db: Db;
  /** The configuration in force (a getter: a reload changes the databases labelled). */
  readonly catalog: Catalog;
  /** Where a source that could not be read is reported (the scrape only says it failed). */
  logger?: Logger;
}

export interface Metrics {
  registry: Registry;
  /** Records one answered HTTP request. `route` is the route's pattern, never the raw URL. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

/** HTTP methods a label may name; any other is `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export const HTTP_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(deps: MetricsDeps, sources = METRIC_SOURCES): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // gauges named *_total, which promtool's lint refuses (a _total is a counter); each is the sum
  // of nodejs_active_{handles,requests,resources} over its type label, which stays
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);

  new Gauge({
    name: 'lifeboat_info',
    help: 'The running Lifeboat (1), with its version.',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version: VERSION }, 1);

  // one read per source per scrape: every family's get() of one scrape shares the read in flight
  let inflight: Promise<Map<string, unknown>> | undefined;
  const read = (): Promise<Map<string, unknown>> => {
    if (inflight) return inflight;
    const p = (async () => {
      const out = new Map<string, unknown>();
      await Promise.all(
        sources.map(async (s) => {
          try {
            out.set(s.name, await s.read(deps.db));
          } catch (err) {
            // the reason may name the store's host: the log has it, the scrape only says it failed
            deps.logger?.warn({ source: s.name, err: redact(messageOf(err)) }, 'metrics: a source could not be read');
          }
        }),
      );
      return out;
    })();
    inflight = p;
    void p.finally(() => {
      if (inflight === p) inflight = undefined;
    });
    return p;
  };

  new Gauge({
    name: 'lifeboat_store_up',
    help: 'Whether the control-plane store could be read for this scrape (1) or not (0: the store-derived series are absent).',
    registers: [registry],
    async collect() {
      const got = await read();
      this.set(sources.every((s) => got.has(s.name)) ? 1 : 0);
    },
  });

  const context = (): FamilyContext => ({
    databases: Object.values(deps.catalog.databases).map((d) => ({ name: d.name, team: d.owner })),
    now: Date.now() / 1000,
  });
  for (const source of sources) {
    for (const family of source.families) {
      registry.registerMetric(storeMetric(family, async () => read().then((got) => got.get(source.name)), context));
    }
  }

  const http = new Histogram({
    name: 'lifeboat_http_request_duration_seconds',
    help: 'Duration of answered API requests, by method, route pattern and status class (2xx, 4xx…).',
    labelNames: ['method', 'route', 'status_class'],
    buckets: HTTP_SECONDS_BUCKETS,
    registers: [registry],
  });

  return {
    registry,
    observeRequest(method, route, statusCode, seconds) {
      http.observe(
        {
          method: METHODS.has(method) ? method : 'other',
          route,
          status_class: `${Math.floor(statusCode / 100)}xx`,
        },
        seconds,
      );
    },
  };
}

/**
 * A family as prom-client sees a metric: its `get()` is what the registry calls at every scrape.
 * prom-client has no class for a metric whose samples come whole from elsewhere (a histogram's
 * buckets counted by the store), hence an object of its metric shape.
 */
function storeMetric<S>(family: Family<S>, snapshot: () => Promise<S | undefined>, context: () => FamilyContext) {
  const metric = {
    name: family.name,
    help: family.help,
    type: family.type,
    aggregator: 'omit',
    async get() {
      const s = await snapshot();
      const values = s === undefined ? [] : family.samples(s, context());
      return { name: family.name, help: family.help, type: family.type, aggregator: 'omit', values };
    },
    reset() {},
  };
  return metric as unknown as Metric;
}

#!/usr/bin/env node
// bench/ui: time to interactive of the web UI's dashboard and of the wizard's scope step with
// 10,000 tables (issue 16; target under 1 s each on this machine).
//
//   npm run build && node bench/ui/interactive.mjs [--runs 5]
//
// The browser side only: Debian's chromium (playwright-core) loads the built UI (dist/ui) and
// the API answers are canned, served from memory by request interception — a dashboard of the
// newest 100 runs (the page the dashboard asks for, whatever the store holds) with one running,
// and a draft run whose backup's manifest lists 10,000 tables in 20 schemas. The API's own time
// is not in these figures (GET /api/v1/runs reads `order by id desc limit 100`).
// Time to interactive, per run, from navigation start:
//   dashboard  the "My runs" table rendered and the New restore link clickable;
//   scope      the scope step rendered, "Selected tables" clicked and its first page of tables
//              shown; then, apart: typing a search and "Select all" over the 10,000 (input delay).
/* global sessionStorage, document, HTMLInputElement, Event, requestAnimationFrame -- in the page */
import console from 'node:console';
import { readFileSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { URL } from 'node:url';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5) || 5;
const UI = new URL('../../dist/ui/', import.meta.url).pathname;
if (!existsSync(join(UI, 'index.html'))) {
  console.error('bench/ui: dist/ui is not built. HINT: npm run build');
  process.exit(2);
}
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

const now = Date.now();
const iso = (ms) => new Date(ms).toISOString();
const run = (id, status) => ({
  id,
  status,
  database: 'CustomerDB',
  source: { server: 'prod-pg01', backupId: 'b1', pointInTime: null },
  destination: {
    server: 'dev-pg01',
    dbname: `copy_${id}`,
    tier: 'development',
    identifier: `dev-pg01/copy_${id}`,
    target: `dev-pg01/copy_${id}`,
  },
  tables: null,
  requestedBy: id % 3 === 0 ? 'alice' : 'jsmith',
  justification: null,
  startAt: null,
  approvalsRequired: 0,
  createdAt: iso(now - id * 60_000),
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  phase: status === 'running' ? 'restore' : null,
  progress:
    status === 'running' ? { percent: 42, bytesDone: 1, bytesTotal: 2, rowsDone: 1, rowsTotal: 2, etaSeconds: 30 } : {},
  checks: [],
  preview: null,
  warnings: [],
  error: null,
  errorStep: null,
  previous: null,
  undoneAt: null,
});
const page100 = Array.from({ length: 100 }, (_, i) =>
  run(10_000 - i, i === 0 ? 'running' : i % 7 === 0 ? 'failed' : 'completed'),
);
const draft = { ...run(10_001, 'draft'), source: { server: 'prod-pg01', backupId: 'b1', pointInTime: null } };
const tables = Array.from({ length: 10_000 }, (_, i) => ({
  schema: `schema_${i % 20}`,
  name: `table_${i}`,
  rows: i * 10,
}));
const backup = {
  id: 'b1',
  database: 'CustomerDB',
  server: 'prod-pg01',
  storage: 'main',
  status: 'verified',
  trigger: 'manual',
  requestedBy: 'dana',
  createdAt: iso(now),
  startedAt: iso(now),
  finishedAt: iso(now),
  bytes: 1e9,
  rows: 5e7,
  error: null,
  verifiedAt: iso(now),
  verifyError: null,
};
const API = {
  '/api/v1/whoami': {
    user: 'jsmith',
    email: 'j@example.com',
    roles: ['developer'],
    teams: ['team-alpha'],
    approverOf: [],
    via: 'token:lbt_x',
    may: ['restore.view', 'restore.request', 'backup.view', 'catalog.view'],
  },
  '/api/v1/runs': { runs: page100 },
  '/api/v1/catalog/databases': {
    databases: [
      {
        name: 'CustomerDB',
        server: 'prod-pg01',
        tier: 'production',
        owner: 'team-alpha',
        approvals: 1,
        rpoSeconds: 3600,
        rtoSeconds: 14400,
        destinations: [{ server: 'dev-pg01', tier: 'development' }],
        maskingRules: 8,
      },
    ],
  },
  '/api/v1/backups': { backups: [backup] },
  [`/api/v1/runs/${draft.id}`]: draft,
  '/api/v1/backups/b1': { ...backup, manifest: { tables } },
};

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
async function fresh() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => sessionStorage.setItem('lifeboat.token', 'lbt_bench'));
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('/events'))
      return route.fulfill({ status: 200, contentType: 'text/event-stream', body: '' });
    if (url.pathname.startsWith('/api/')) {
      const body = API[url.pathname];
      return body
        ? route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) })
        : route.fulfill({ status: 404, body: '{}' });
    }
    const file = join(UI, url.pathname.startsWith('/assets/') ? url.pathname : 'index.html');
    return route.fulfill({
      status: 200,
      contentType: TYPES[extname(file)] ?? 'application/octet-stream',
      body: readFileSync(file),
    });
  });
  return context.newPage();
}

const sinceNavigation = (page) => page.evaluate(() => performance.now());

/** Types `text` into the search box in the page and waits there for `expect` on the page. */
function timed(page, _probe, text, expect) {
  return page.evaluate(
    ([text, expect]) =>
      new Promise((resolve) => {
        const input = [...document.querySelectorAll('input[type=search]')][0];
        const t0 = performance.now();
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        setter.call(input, text);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const check = () =>
          document.body.textContent.includes(expect)
            ? requestAnimationFrame(() => resolve(performance.now() - t0))
            : requestAnimationFrame(check);
        check();
      }),
    [text, expect],
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { dashboard: [], scope: [], search: [], selectAll: [] };
for (let i = 0; i < runs + 1; i++) {
  const warm = i === 0; // the first of each is untimed: chromium's own start-up
  let page = await fresh();
  await page.goto('http://lifeboat.bench/');
  await page.getByRole('region', { name: 'My runs' }).getByRole('table').waitFor();
  await page.getByRole('link', { name: 'New restore' }).first().waitFor();
  // the page's own clock: since its navigation started (not the bench's round trips to chromium)
  if (!warm) results.dashboard.push(await sinceNavigation(page));
  await page.context().close();

  page = await fresh();
  await page.goto(`http://lifeboat.bench/restore/new?run=${draft.id}`);
  await page.getByText('Selected tables').click();
  await page.getByRole('checkbox', { name: /^table_0 / }).waitFor();
  if (!warm) results.scope.push(await sinceNavigation(page));
  // input delay: from the event to the next frame painted with its result
  if (!warm) results.search.push(await timed(page, '#search-probe', 'table_99', 'Select all 111 matching'));
  await page.getByLabel('Search tables').fill('');
  let t0 = await page.evaluate(() => performance.now());
  await page.getByRole('checkbox', { name: /Select all/ }).check();
  await page.getByText('10,000 selected').waitFor();
  if (!warm) results.selectAll.push((await page.evaluate(() => performance.now())) - t0);
  await page.context().close();
}
await browser.close();
console.log(`web UI time to interactive (median of ${runs}, ms; target < 1000):`);
for (const [k, xs] of Object.entries(results))
  console.log(`  ${k.padEnd(10)} ${median(xs).toFixed(0).padStart(6)}   (${xs.map((x) => x.toFixed(0)).join(', ')})`);

// The Incidents pages in a real browser (Debian's chromium via playwright-core, a fresh build of
// the web UI, a whole Lifeboat on real clusters): a DBA admin finds a declared and planned
// incident from the navigation, reads its plan and timeline, executes it and watches it recover;
// a developer of the owning team sees the same incident read-only — no Plan, no Execute — and the
// server refuses his direct API call with 403.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail } from '../../src/contract/dr.js';
import { stopCluster } from '../../src/engines/postgres/local-cluster.js';
import { harnessRoot } from '../harness/cluster.js';
import { buildUi, launchChromium, openPage as openBrowserPage, shot, signIn as signInAs } from '../harness/browser.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
let lb: TestLifeboat;
let browser: Browser;
let incident: IncidentDetail;
let work: string;
const dataDirs: string[] = [];

const api = (user: string, method: string, path: string, body?: unknown) => lb.api<unknown>(user, method, path, body);

beforeAll(async () => {
  work = mkdtempSync(join(harnessRoot(), 'ui-dr-'));
  chmodSync(work, 0o755);
  const [fixtures, uiDir] = await Promise.all([startFixtureServers(), buildUi()]);
  servers = fixtures;
  const config = fixtureConfig({
    databaseExtra: '    dr:\n      target: new_instance\n',
    extra: `dr:\n  instances_dir: ${JSON.stringify(join(work, 'instances'))}\n`,
  });
  lb = await backedUp(servers, config, { uiDir });
  const declared = await api('rita', 'POST', '/api/v1/incidents', {
    database: 'CustomerDB',
    reason: 'prod-pg01 lost its disk',
  });
  expect(declared.status).toBe(201);
  incident = declared.body as IncidentDetail;
  expect((await api('rita', 'POST', `/api/v1/incidents/${incident.id}/plan`)).status).toBe(200);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const dir of dataDirs) await stopCluster(dir, 'immediate');
  if (work) rmSync(work, { recursive: true, force: true });
});

const openPage = () => openBrowserPage(browser);
const signIn = (page: Page, user: string) => signInAs(lb, page, user);

async function openIncident(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
  await page.getByRole('heading', { name: 'Incidents', exact: true }).waitFor();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `#${incident.id}` }) });
  await expect(row.textContent()).resolves.toMatch(/CustomerDB\s*planned/);
  await row.getByRole('link', { name: `#${incident.id}` }).click();
  await page.getByRole('heading', { name: `Incident #${incident.id}: CustomerDB` }).waitFor();
}

describe('incidents in the web UI', () => {
  it('a developer of the owning team reads the incident, with no Plan or Execute; the API refuses him 403', async () => {
    const { page, errors } = await openPage();
    await signIn(page, 'jsmith');
    await openIncident(page);
    const timeline = page.getByRole('list', { name: 'Incident timeline' });
    await expect(timeline.textContent()).resolves.toContain('prod-pg01 lost its disk');
    await expect(page.getByRole('region', { name: 'Plan' }).textContent()).resolves.toContain('chosen');
    await expect(page.getByRole('button', { name: 'Execute' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /^Plan/ }).count()).resolves.toBe(0);
    await shot(page, 'incident-developer');
    await expect(page.getByText('Recovery operators and DBA admins plan and execute it').count()).resolves.toBe(1);
    // and on a phone
    await page.setViewportSize({ width: 420, height: 860 });
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(420);
    await shot(page, 'narrow-incident');

    const refused = await api('jsmith', 'POST', `/api/v1/incidents/${incident.id}/execute`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: { message: "unable to dr execute: jsmith's roles (developer) do not allow dr.execute on CustomerDB" },
    });
    expect((await api('jsmith', 'GET', `/api/v1/incidents/${incident.id}`)).status).toBe(200);
    expect(errors).toEqual([]);
  });

  it('a DBA admin opens it from the navigation, reads plan and timeline, executes it and watches it recover', async () => {
    const { page, errors } = await openPage();
    await signIn(page, 'dana');
    await openIncident(page);
    await shot(page, 'incidents-list-then-detail');
    const timeline = page.getByRole('list', { name: 'Incident timeline' });
    await expect(timeline.getByRole('listitem').count()).resolves.toBeGreaterThanOrEqual(2);
    await expect(timeline.textContent()).resolves.toMatch(/declared.*plan/is);
    const execute = page.getByRole('button', { name: 'Execute', exact: true });
    await expect(execute.isEnabled()).resolves.toBe(true);
    await shot(page, 'incident-planned');

    await execute.click();
    await page
      .locator('.badge', { hasText: /^recovered$/ })
      .first()
      .waitFor({ timeout: 120_000 });
    await expect(timeline.textContent()).resolves.toContain('service restored');
    await expect(page.getByRole('button', { name: 'Execute', exact: true }).count()).resolves.toBe(0);
    await page.getByRole('region', { name: 'Report' }).getByText('Stored as evidence').waitFor({ timeout: 30_000 });
    await shot(page, 'incident-recovered');
    const done = (await api('dana', 'GET', `/api/v1/incidents/${incident.id}`)).body as IncidentDetail;
    if (done.instance?.dataDir) dataDirs.push(done.instance.dataDir);
    expect(done.status).toBe('recovered');

    await page.getByRole('link', { name: 'All incidents' }).click();
    await page.getByRole('heading', { name: 'Incidents', exact: true }).waitFor();
    await shot(page, 'incidents-list');
    expect(errors).toEqual([]);
  }, 180_000);
});

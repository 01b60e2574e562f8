// Journey 2 in a real browser: Debian's chromium driven by playwright-core against a whole
// Lifeboat (API, worker, real PostgreSQL clusters) serving a fresh build of the web UI. Sign in
// with a sign-in code, walk the wizard to a dry run and execute it, watch the run complete live;
// the approvals inbox as approver and as requester; errors with their hints; no console error.
// Screenshots of each page go to $LIFEBOAT_UI_SCREENSHOTS (default: <tmp>/lifeboat-ui-screenshots).
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSignInCode } from '../../src/access/sign-in-codes.js';
import { requestBackup } from '../../src/backup/service.js';
import { newBackupId } from '../../src/backup/status.js';
import { DEMO_MASKING_RULES } from '../../src/demo/workspace.js';
import type { RunDoc } from '../../src/contract/runs.js';
import {
  buildUi,
  launchChromium,
  openPage as openBrowserPage,
  shot,
  signIn as signInAs,
  WIDE,
} from '../harness/browser.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp } from '../harness/runs.js';

const NARROW = { width: 420, height: 860 };

/** CustomerDB with the demo's masking rules: the copy in dev is masked. */
const config = (approvals: number) =>
  fixtureConfig({
    databaseExtra: `    masking:\n      key: env:MASKING_KEY\n      rules:\n${DEMO_MASKING_RULES}`,
  }).replace('approvals: 0', `approvals: ${approvals}`);

let servers: FixtureServers;
let lb: TestLifeboat;
let browser: Browser;

beforeAll(async () => {
  const [fixtures, uiDir] = await Promise.all([startFixtureServers(), buildUi()]);
  servers = fixtures;
  lb = await backedUp(servers, config(0), { uiDir });
  // a second backup, to change the source in the wizard
  const { id } = await requestBackup(lb.store.db, lb.queue, lb.catalog, {
    database: 'CustomerDB',
    actor: 'test',
    trigger: 'manual',
  });
  const deadline = Date.now() + 30_000;
  while (
    (await lb.store.db.selectFrom('backups').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status !==
    'verified'
  ) {
    if (Date.now() > deadline) throw new Error(`backup ${id} not verified in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

const openPage = (viewport = WIDE) => openBrowserPage(browser, viewport);

async function signIn(page: Page, user: string): Promise<void> {
  await signInAs(lb, page, user);
  expect(new URL(page.url()).pathname).toBe('/');
}

describe('journey 2 through the web UI', () => {
  it('signs in with a code, walks the wizard to a dry run, executes it and watches it complete live', async () => {
    const { page, errors } = await openPage();
    await signIn(page, 'jsmith');
    await expect(page.locator('.who').textContent()).resolves.toContain('jsmith');
    await shot(page, 'dashboard');

    await page.getByRole('link', { name: 'New restore', exact: true }).first().click();
    await page.getByLabel('Database name on the destination').fill('ui_copy');
    await page.getByRole('button', { name: 'Continue: choose the backup' }).click();
    await page.getByRole('radio').first().click();
    await page.getByRole('heading', { name: '2. Scope' }).waitFor();
    await page.getByLabel('Selected tables').check();
    await page.getByLabel('Search tables').fill('order');
    await shot(page, 'wizard-scope');
    await page.getByLabel('All', { exact: false }).first().check();
    await page.getByRole('button', { name: 'Next: run the checks' }).click();

    await page.getByRole('list', { name: 'Safety checks' }).waitFor();
    await shot(page, 'wizard-checks');
    await page.getByRole('button', { name: 'Next: preview' }).click();
    await page.getByRole('heading', { name: 'Schema differences' }).waitFor();
    await shot(page, 'wizard-preview');

    // changing the backup resets the scope, the checks and the preview
    const step = (name: string) => page.getByRole('list', { name: 'Wizard steps' }).getByRole('button', { name });
    await expect(step('5 Confirm').isEnabled()).resolves.toBe(true);
    await step('1 Source').click();
    await page.getByRole('radio').nth(1).click();
    await page.getByRole('heading', { name: '2. Scope' }).waitFor();
    for (const s of ['3 Checks', '4 Preview', '5 Confirm']) await expect(step(s).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Next: run the checks' }).click();
    await page.getByRole('button', { name: 'Next: preview' }).click();
    await page.getByRole('button', { name: 'Next: confirm' }).click();

    // Execute stays disabled, saying which gate holds it, until every one does
    const execute = page.getByRole('button', { name: /^Execute/ });
    const gates = page.locator('#gates');
    await expect(execute.isDisabled()).resolves.toBe(true);
    await expect(gates.textContent()).resolves.toContain('Dry run is on');
    await shot(page, 'wizard-confirm');
    await page.getByRole('checkbox', { name: /Dry run/ }).uncheck();
    await page.getByRole('checkbox', { name: /I reviewed the impact/ }).check();
    await page.getByLabel(/^Type dev-pg01\/ui_copy/).fill('dev-pg01/ui_cop');
    await expect(execute.isDisabled()).resolves.toBe(true);
    await expect(gates.textContent()).resolves.toBe('Type the identifier dev-pg01/ui_copy exactly.');
    await page.getByLabel(/^Type dev-pg01\/ui_copy/).fill('dev-pg01/ui_copy');
    await expect(execute.isEnabled()).resolves.toBe(true);
    await execute.click();

    // the run detail follows the run live to its end
    await page.getByRole('heading', { name: /^Run #\d+: CustomerDB → dev-pg01\/ui_copy$/ }).waitFor();
    const bar = page.getByRole('progressbar', { name: 'Run progress' });
    await page
      .locator('.badge', { hasText: /^completed$/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await expect(bar.getAttribute('aria-valuenow')).resolves.toBe('100');
    await expect(page.locator('.log').textContent()).resolves.not.toBe('');
    await shot(page, 'run-detail');

    // every row is there, masked: no email of the source is in the copy
    const count = async (c: typeof servers.prod, db: string, where = 'true') =>
      (await c.query<{ n: string }>(db, `select count(*)::text as n from customers where ${where}`))[0]?.n;
    expect(await count(servers.dev, 'ui_copy')).toBe(await count(servers.prod, 'customer'));
    const emails = (await servers.prod.query<{ email: string }>('customer', 'select email from customers limit 5')).map(
      (r) => `'${r.email.replace(/'/g, "''")}'`,
    );
    expect(await count(servers.dev, 'ui_copy', `email in (${emails.join(',')})`)).toBe('0');
    expect(errors).toEqual([]);
  });

  it('reads at 420 px wide: dashboard, wizard and run detail', async () => {
    const { page, errors } = await openPage(NARROW);
    await signIn(page, 'jsmith');
    await shot(page, 'narrow-dashboard');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(NARROW.width);
    await page.getByRole('link', { name: 'New restore', exact: true }).first().click();
    await page.getByRole('button', { name: 'Continue: choose the backup' }).waitFor();
    await shot(page, 'narrow-wizard');
    await page.goto(`${lb.url}/runs/1`);
    await page.getByRole('heading', { name: /^Run #1/ }).waitFor();
    await shot(page, 'narrow-run-detail');
    expect(errors).toEqual([]);
  });

  it("shows the server's message and hint: a used sign-in code, a wrong token", async () => {
    const { page } = await openPage();
    const { code } = await issueSignInCode(lb.store.db, { user: 'jsmith', actor: 'test' });
    await page.goto(`${lb.url}/sign-in?code=${code}`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const second = await openPage();
    await second.page.goto(`${lb.url}/sign-in?code=${code}`);
    const alert = second.page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(
      /^this sign-in code is not valid: it was used already, or has expiredHint: restart `lifeboat start`/,
    );
    await second.page.getByLabel('API token').fill('lbt_not-a-token');
    await second.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => alert.textContent()).toMatch(/^the API token is not validHint: issue a new one/);
    await shot(second.page, 'sign-in-error');
  });

  describe('the approvals inbox (CustomerDB needs one approval)', () => {
    let pending: RunDoc;
    let another: RunDoc;
    const request = async (to: string): Promise<RunDoc> => {
      const res = await fetch(`${lb.url}/api/v1/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await lb.token('jsmith')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ database: 'CustomerDB', to, execute: true, confirm: to, acknowledge: true }),
      });
      const run = (await res.json()) as RunDoc;
      expect(run.status).toBe('pending_approval');
      return run;
    };
    const runOf = async (id: number): Promise<RunDoc> =>
      (await (
        await fetch(`${lb.url}/api/v1/runs/${id}`, { headers: { authorization: `Bearer ${await lb.token('jsmith')}` } })
      ).json()) as RunDoc;

    beforeAll(async () => {
      writeFileSync(lb.configFile, config(1));
      await lb.config.reload();
      pending = await request('dev-pg01/ui_approved');
      another = await request('dev-pg01/ui_rejected');
    });

    it('offers the approver the plan, checks and preview with Approve and Reject; the requester sees his own read-only', async () => {
      const alice = await openPage();
      await signIn(alice.page, 'alice');
      await alice.page.getByRole('link', { name: 'Approvals' }).click();
      const inbox = alice.page.getByRole('list', { name: 'Awaiting my approval' });
      await inbox.getByRole('button', { name: new RegExp(`^#${pending.id} `) }).click();
      await alice.page.getByRole('heading', { name: `Run #${pending.id}` }).waitFor();
      await expect(alice.page.getByRole('button', { name: 'Approve', exact: true }).isEnabled()).resolves.toBe(true);
      await expect(alice.page.getByRole('button', { name: 'Reject', exact: true }).isDisabled()).resolves.toBe(true); // no comment yet
      await alice.page.getByRole('heading', { name: 'Preview' }).waitFor();
      await expect(alice.page.getByRole('heading', { name: 'My requests waiting for approval' }).count()).resolves.toBe(
        0,
      );
      await shot(alice.page, 'approvals-approver');

      const jsmith = await openPage();
      await signIn(jsmith.page, 'jsmith');
      await jsmith.page.getByRole('link', { name: 'Approvals' }).click();
      const mine = jsmith.page.getByRole('list', { name: 'My requests waiting for approval' });
      await mine.waitFor();
      await expect(mine.getByRole('button').count()).resolves.toBe(2);
      await expect(jsmith.page.getByRole('heading', { name: 'Awaiting my approval' }).count()).resolves.toBe(0); // a developer approves nothing
      await mine.getByRole('button', { name: new RegExp(`^#${pending.id} `) }).click();
      await jsmith.page.getByRole('heading', { name: `Run #${pending.id}` }).waitFor();
      await expect(jsmith.page.getByRole('note').textContent()).resolves.toBe(
        'You requested this run: it must be approved by another approver of its team.',
      );
      const facts = await jsmith.page.locator('dl.facts').first().textContent();
      expect(facts).toContain('Approvals0 of 1, 1 missing');
      expect(facts).toMatch(/May approvealice, bob/);
      expect(facts).not.toMatch(/Expires—/);
      await jsmith.page.getByRole('heading', { name: 'Preview' }).waitFor();
      await expect(jsmith.page.getByRole('button', { name: 'Approve', exact: true }).count()).resolves.toBe(0);
      await expect(jsmith.page.getByRole('button', { name: 'Reject', exact: true }).count()).resolves.toBe(0);
      await shot(jsmith.page, 'approvals-requester');
      expect([...alice.errors, ...jsmith.errors]).toEqual([]);
    });

    it('alice approves jsmith’s run in the inbox and it completes; bob rejects another with a comment', async () => {
      const alice = await openPage();
      await signIn(alice.page, 'alice');
      await alice.page.getByRole('link', { name: 'Approvals' }).click();
      const inbox = alice.page.getByRole('list', { name: 'Awaiting my approval' });
      await inbox.getByRole('button', { name: new RegExp(`^#${pending.id} `) }).click();
      await alice.page.getByRole('heading', { name: `Run #${pending.id}` }).waitFor();
      await alice.page.getByLabel(/^Comment/).fill('checked the scope with jsmith');
      await alice.page.getByRole('button', { name: 'Approve', exact: true }).click();
      await alice.page.getByText('Decision recorded: the run is now').waitFor();
      // it leaves her inbox
      await expect.poll(() => inbox.getByRole('button', { name: new RegExp(`^#${pending.id} `) }).count()).toBe(0);
      // and goes on to complete
      const deadline = Date.now() + 90_000;
      let run = await runOf(pending.id);
      while (!['completed', 'failed', 'partial'].includes(run.status) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        run = await runOf(pending.id);
      }
      expect(run.status).toBe('completed');
      expect(run.approvals).toMatchObject([
        { approver: 'alice', decision: 'approve', comment: 'checked the scope with jsmith', counts: true },
      ]);
      const approved = await lb.store.db
        .selectFrom('audit_events')
        .select(['actor'])
        .where('action', '=', 'restore.approve')
        .where('subject_id', '=', String(pending.id))
        .execute();
      expect(approved).toEqual([{ actor: 'alice' }]);
      await alice.page.getByRole('link', { name: 'Open the run' }).click();
      await alice.page.getByRole('heading', { name: new RegExp(`^Run #${pending.id}:`) }).waitFor();
      await alice.page
        .locator('.badge', { hasText: /^completed$/ })
        .first()
        .waitFor();
      await expect(alice.page.getByRole('list', { name: 'Approvals given' }).textContent()).resolves.toMatch(
        /^alice approved .*: “checked the scope with jsmith”$/,
      );
      await shot(alice.page, 'run-detail-approved');

      const bob = await openPage();
      await signIn(bob.page, 'bob');
      await bob.page.getByRole('link', { name: 'Approvals' }).click();
      await bob.page
        .getByRole('list', { name: 'Awaiting my approval' })
        .getByRole('button', { name: new RegExp(`^#${another.id} `) })
        .click();
      await bob.page.getByRole('heading', { name: `Run #${another.id}` }).waitFor();
      const reject = bob.page.getByRole('button', { name: 'Reject', exact: true });
      await expect(reject.isDisabled()).resolves.toBe(true);
      await expect(bob.page.getByText('(required to reject)').isVisible()).resolves.toBe(true);
      await bob.page.getByLabel(/^Comment/).fill('not during the freeze');
      await reject.click();
      await bob.page.getByText('Decision recorded: the run is now').waitFor();
      await expect(bob.page.getByRole('status').textContent()).resolves.toContain('rejected');
      const rejected = await runOf(another.id);
      expect(rejected.status).toBe('rejected');
      expect(rejected.approvals).toMatchObject([
        { approver: 'bob', decision: 'reject', comment: 'not during the freeze' },
      ]);
      await bob.page.goto(`${lb.url}/runs/${another.id}`);
      await bob.page
        .locator('.badge', { hasText: /^rejected$/ })
        .first()
        .waitFor();
      expect([...alice.errors, ...bob.errors]).toEqual([]);
    });
  });

  it('backups (with a manifest) and audit (with the chain status) render', async () => {
    const { page, errors } = await openPage();
    await signIn(page, 'dana');
    await page.getByRole('link', { name: 'Backups' }).click();
    await page.getByRole('heading', { name: 'CustomerDB' }).waitFor();
    await page.locator('tbody a').first().click();
    await page.getByRole('heading', { name: /^Backup / }).waitFor();
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.getByRole('button', { name: 'Verify now' }).waitFor();
    await page.locator('details summary').first().click();
    await shot(page, 'backups');
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByText('chain intact').waitFor();
    await page.getByLabel('Subject type').fill('run');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('table.audit tbody tr').first().waitFor();
    await shot(page, 'audit');
    expect(errors).toEqual([]);
  });

  it('a backup waiting for a worker is cancelled from its page, by whoever may take one', async () => {
    // a backup queued and not taken by a worker yet (its job not sent: as when every worker is busy)
    const id = newBackupId(new Date(), 'beef');
    await lb.store.db
      .insertInto('backups')
      .values({
        id,
        database: 'CustomerDB',
        server: 'prod-pg01',
        storage: 'main',
        status: 'queued',
        trigger: 'manual',
        requested_by: 'bob',
      })
      .execute();
    // a developer sees it, and neither cancels (not theirs, no backup.run) nor verifies it (not written)
    const dev = await openPage();
    await signIn(dev.page, 'jsmith');
    await dev.page.goto(`${lb.url}/backups/${id}`);
    await dev.page.getByRole('heading', { name: `Backup ${id}` }).waitFor();
    await dev.page
      .locator('.badge', { hasText: /^queued$/ })
      .first()
      .waitFor();
    expect(await dev.page.getByRole('button', { name: /Cancel backup|Verify now/ }).count()).toBe(0);
    const { page, errors } = await openPage();
    await signIn(page, 'alice');
    await page.goto(`${lb.url}/backups/${id}`);
    await page.getByRole('heading', { name: `Backup ${id}` }).waitFor();
    expect(await page.getByRole('button', { name: 'Verify now' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel backup' }).click();
    await page.getByRole('alert').filter({ hasText: 'cancelled by alice' }).waitFor();
    await page
      .locator('.badge', { hasText: /^cancelled$/ })
      .first()
      .waitFor();
    expect(await page.getByRole('button', { name: 'Cancel backup' }).count()).toBe(0);
    await shot(page, 'backup-cancelled');
    const row = await lb.store.db
      .selectFrom('backups')
      .select(['status', 'error'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'cancelled', error: 'cancelled by alice' });
    const audit = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'details'])
      .where('action', '=', 'backup.cancel')
      .where('subject_id', '=', id)
      .execute();
    expect(audit).toEqual([{ actor: 'alice', details: { from: 'queued', to: 'cancelled' } }]);
    expect([...errors, ...dev.errors]).toEqual([]);
  });
});

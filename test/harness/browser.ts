// The browser tests' common parts: a fresh build of the web UI, Debian's chromium driven by
// playwright-core (no browser download), a page that records every console and page error,
// signing in with a sign-in code, and screenshots in $LIFEBOAT_UI_SCREENSHOTS
// (default: <tmp>/lifeboat-ui-screenshots).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { issueSignInCode } from '../../src/access/sign-in-codes.js';
import type { TestLifeboat } from './lifeboat.js';

export const SCREENSHOTS = process.env.LIFEBOAT_UI_SCREENSHOTS ?? join(tmpdir(), 'lifeboat-ui-screenshots');
export const WIDE = { width: 1280, height: 800 };

/** Builds the web UI into a new directory (for `uiDir`); makes the screenshot directory too. */
export async function buildUi(): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const uiDir = mkdtempSync(join(tmpdir(), 'lifeboat-ui-'));
  await build({
    configFile: join(import.meta.dirname, '../../ui/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: uiDir, emptyOutDir: true },
  });
  return uiDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** A page of its own (own session storage) that records every console error and page error. */
export async function openPage(browser: Browser, viewport = WIDE): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.setDefaultTimeout(15_000);
  return { page, errors };
}

/** Signs `user` in with a fresh sign-in code; resolves on the dashboard. */
export async function signIn(lb: TestLifeboat, page: Page, user: string): Promise<void> {
  const { code } = await issueSignInCode(lb.store.db, { user, actor: 'test' });
  await page.goto(`${lb.url}/sign-in?code=${code}`);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

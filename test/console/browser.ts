import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/*
 * Debian's chromium driven by playwright-core, for the console's browser tests: one browser per
 * test file (launching takes a second or two), a fresh context (cookies) per person signed in,
 * and on every page a record of what must never happen: a dialog (a script injected through
 * some text ran), a Content-Security-Policy violation (an inline script or style slipped in), an
 * uncaught error.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Dialogs, CSP violations and page errors seen so far. */
  problems: string[];
}

/** A new person at a laptop (1366×768, Chinese locale) on the hub at `baseUrl`. */
export async function openTab(browser: Browser, baseUrl: string): Promise<Tab> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

/** Signs in through the form with a staff token and waits for the ticket queue. */
export async function signIn(tab: Tab, token: string): Promise<void> {
  await tab.page.goto('/console/sign-in');
  await tab.page.locator('input[name="token"]').fill(token);
  await Promise.all([tab.page.waitForURL(/\/console\/tickets/), tab.page.locator('form.sign-in button[type="submit"]').click()]);
}

/**
 * Saves a screenshot of the page as test/console/screenshots/<name>.png (git-ignored; the
 * README's are copied to docs/images/): the whole page, or (`screen`) what a 1366×768 screen shows
 * with a whole-page one beside it as <name>-full.png.
 */
export async function screenshot(page: Page, name: string, opts: { screen?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (opts.screen) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  await page.screenshot({ path: join(SCREENSHOTS, opts.screen ? `${name}-full.png` : `${name}.png`), fullPage: true });
}

/**
 * Does something that ends in a flash notice (every console action does: post, redirect, the
 * page again with its outcome) and returns the notice's text once htmx has swapped the page in.
 * Notices already on the page are removed first, so the one returned is the new one.
 */
export async function act(page: Page, click: () => Promise<void>): Promise<{ kind: string; text: string }> {
  await page.evaluate("document.querySelectorAll('[data-notice]').forEach((n) => n.remove())");
  await click();
  const notice = page.locator('[data-notice]').first();
  await notice.waitFor();
  return { kind: (await notice.getAttribute('data-notice')) ?? '', text: ((await notice.textContent()) ?? '').trim() };
}

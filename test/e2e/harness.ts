/**
 * What every e2e test shares: the app server on a temp database with the test signer and its users, headless
 * Chromium (Debian's, driven by playwright-core), signing in, axe-core against WCAG 2.1 AA, web-first waits,
 * screenshots, and tearing it all down.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { buildApp } from '../../src/http/app';
import { sha256Node } from '../../src/keys/signer';
import { Auth } from '../../src/services/auth';
import { Store } from '../../src/store/store';
import { tempDir, testLogSigner, testSigner } from '../helpers/app';
import { browserPath } from './browser';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SHOTS = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');
export const EXAMPLE = path.resolve(__dirname, '..', '..', 'docs', 'examples', 'roster-113.xlsx');

export type Services = ReturnType<typeof buildApp>['services'];
export type Role = string;

export interface Harness {
  server: Server;
  base: string;
  browser: Browser;
  store: Store;
  services: Services;
  /** Each user's id by name. */
  userIds: Record<string, string>;
}

/**
 * The app on a fresh database `file` in a temp dir (sign-in rate limits off: they are tested in test/http), each
 * user with the password `password-<name>-123`, listening on 127.0.0.1, and Chromium launched with `extraArgs`.
 */
export async function startHarness(
  file: string,
  users: ReadonlyArray<{ name: string; role: Role; display?: string }>,
  extraArgs: readonly string[] = [],
): Promise<Harness> {
  // First, before a server or a database is opened that a failure would leave behind.
  const executablePath = browserPath();
  const store = Store.open(path.join(tempDir(), file));
  const built = buildApp({ store, signer: testSigner(), logSigner: testLogSigner(), rateLimits: false });
  const services = built.services;
  const auth = new Auth({
    store,
    clock: () => new Date(),
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
  });
  const userIds: Record<string, string> = {};
  for (const { name, role, display } of users) {
    const u = services.addUser('cli', display === undefined ? { name, role } : { name, role, display });
    userIds[name] = u.id;
    auth.setPassword(u.id, `password-${name}-123`);
  }
  const server = await new Promise<Server>((resolve) => {
    const s = built.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      ...extraArgs,
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  return { server, base, browser, store, services, userIds };
}

export async function stopHarness(h: Harness | undefined): Promise<void> {
  await h?.browser?.close();
  await new Promise((r) => (h?.server ? h.server.close(r) : r(undefined)));
  h?.store?.close();
}

/**
 * Signs `username` in on a new page of `c` through the sign-in form (which carries its `_login` CSRF token, issue
 * 12) and waits for the first page: the lotteries, or for an admin the users (/admin/users).
 */
export async function signIn(base: string, c: BrowserContext, username: string): Promise<Page> {
  const page = await c.newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', `password-${username}-123`);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/(lotteries|admin\/users)/);
  return page;
}

/** `name` signed in, in a context of its own at 1280×720. */
export async function signedIn(h: Harness, name: string): Promise<Page> {
  const c = await h.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-TW' });
  return signIn(h.base, c, name);
}

/** axe-core's WCAG 2.1 AA violations on the page: each rule's id and how many nodes break it. */
export async function axeViolations(page: Page): Promise<Array<{ id: string; nodes: number }>> {
  // Evaluated over the DevTools protocol, which the page's CSP (no inline script) rightly does not allow otherwise.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> };
    };
    const r = await w.axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.length }));
  });
}

/** The page has no WCAG 2.1 AA violation (the failure names the page, each rule and its node count). */
export async function axe(page: Page): Promise<void> {
  const violations = (await axeViolations(page)).map((v) => `${v.id} (${v.nodes})`);
  expect([page.url(), violations]).toEqual([page.url(), []]);
}

/** Web-first waits for jest (playwright-core has no expect): poll until the condition holds, or fail with why. */
export async function until(what: string, cond: () => Promise<boolean>, timeout = 5_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
export const hasText = (l: Locator, t: string, timeout?: number): Promise<void> =>
  until(`text "${t}"`, async () => (await l.innerText()).includes(t), timeout);
export const visible = (l: Locator, timeout = 5_000): Promise<void> =>
  l.waitFor({ state: 'visible', timeout });

/** docs/screenshots/<name>.png when UPDATE_SCREENSHOTS=1; SHOTS_DIR=/tmp/shots: every step, for looking at. */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS === '1')
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  if (process.env.SHOTS_DIR)
    await page.screenshot({ path: path.join(process.env.SHOTS_DIR, `${name}.png`), fullPage: true });
}

/** What a person sees of the watermark: its text, and how much of the screen it spans. */
export async function watermark(page: Page): Promise<{ text: string; width: number; height: number } | null> {
  return page.evaluate(() => {
    const el = document.querySelector('.rehearsal-mark');
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const text = getComputedStyle(el, '::before').content.replace(/^"|"$/g, '');
    return { text, width: r.width, height: r.height };
  });
}

/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core, against a
 * Herald with a worker and the X simulator. An admin logs in, finds the failed delivery,
 * retries it with a reason, and sees it published and audited.
 * (`npm test` installs chromium when missing; DASHBOARD_SCREENSHOTS=<dir> keeps screenshots.)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createXSimulator } from '../../adapters/x/simulator.ts';
import { ADMIN_KEY, bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let x: ReturnType<typeof createXSimulator>;
let h: TestHerald;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: npm test installs Debian's chromium (apt-get install chromium)`);
  x = createXSimulator();
  h = await startTestHerald({ worker: true, platformUrls: { x: await x.server.start() } });
  profile = mkdtempSync(join(tmpdir(), 'herald-chromium-'));
  // A fresh --user-data-dir for every run (launchPersistentContext passes it to chromium).
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1360, height: 900 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await h?.stop();
  await x?.server.stop();
});

async function shot(page: Page, name: string) {
  const dir = process.env.DASHBOARD_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

it('logs in, finds a failed delivery, retries it with a reason, and sees it published and audited', async () => {
  const creator = await h.creator('Browser test creator');
  const demo = x.createDemoAccount();
  const acc = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'x', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } });
  // X refuses the post once (403): the delivery fails, not retryable, so the retry needs force.
  x.server.injectFault({ method: 'POST', path: '/2/tweets', fault: { type: 'status', status: 403, body: { title: 'Forbidden', status: 403, type: 'about:blank', detail: 'You are not permitted to perform this action.' } } });
  const post = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'retried from the dashboard', targets: [{ accountId: acc.json().id }] } });
  const deliveryId = post.json().deliveries[0].id as string;
  await h.waitFor(deliveryId, (d) => d.status === 'failed');

  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${h.url}/admin`);
  await expect.poll(() => page.url()).toMatch(/\/admin\/login\?next=%2Fadmin$/);
  await shot(page, '1-login');
  await page.fill('input[name=key]', ADMIN_KEY);
  await page.click('button:has-text("Log in")');
  await page.waitForURL(/\/admin\/deliveries$/);

  await page.selectOption('select[name=status]', 'failed');
  await page.click('button:has-text("Filter")');
  await page.waitForURL(/status=failed/);
  const row = page.locator('tr', { has: page.locator(`a:text-is("${deliveryId}")`) });
  await expect.poll(() => row.locator('.badge').textContent()).toBe('failed');
  await shot(page, '2-failed-deliveries');
  await row.locator(`a:text-is("${deliveryId}")`).click();
  await page.waitForURL(new RegExp(`/admin/deliveries/${deliveryId}$`));

  expect(await page.locator('main').innerText()).toMatch(/x\.not_permitted/);
  await page.fill('form[action$="/retry"] textarea[name=reason]', 'X was down; it is back');
  await page.check('form[action$="/retry"] input[name=force]');
  await shot(page, '3-delivery-before-retry');
  await page.click('button:has-text("Retry delivery")');
  await page.waitForURL(/notice=/);
  await h.waitFor(deliveryId, (d) => d.status === 'published');

  await page.reload();
  await expect.poll(() => page.locator('h1 .badge').textContent()).toBe('published');
  const body = await page.locator('main').innerText();
  expect(body).toMatch(/https:\/\/x\.com\/.+\/status\/\d+/);
  expect(body).toContain('delivery.retry');
  expect(body).toContain('X was down; it is back');
  await shot(page, '4-delivery-published');

  await page.click('header a:has-text("Audit log")');
  await page.waitForURL(/\/admin\/audit$/);
  const audit = page.locator('tr', { has: page.locator(`a:text-is("${deliveryId}")`) });
  await expect.poll(() => audit.first().innerText()).toMatch(/admin\s+delivery\.retry[\s\S]*X was down; it is back/);
  await shot(page, '5-audit');
}, 90_000);

import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertConnections } from '../support/database.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

// The support console (/support) in Chromium: sign in with the support token, find a connection by
// account, pause and resume it, and the refusals (a wrong token, forms posted without the session's
// CSRF token or from another site).
const CHROMIUM = '/usr/bin/chromium';
const noChromium = !existsSync(CHROMIUM);
const skipNote = noChromium ? ` (skipped: ${CHROMIUM} is missing; .ci/run installs Debian's chromium)` : '';
const accountId = 'acct-console-live';
const TEMPORAL_UI = 'http://127.0.0.1:8233';
const screenshots = mkdtempSync(path.join(os.tmpdir(), 'ff-support-console-'));

let system: TestSystem;
let browser: Browser;
let context: BrowserContext;
beforeAll(async () => {
  if (noChromium) return;
  system = await startTestSystem({ TEMPORAL_UI_URL: TEMPORAL_UI });
  await connectThroughBrowser(system, accountId, 'production', system.production);
  // Many more connections (rows only) so the list pages.
  for (let i = 0; i < 15; i++) await insertConnections(system.database.db, `acct-console-many-${String(i).padStart(2, '0')}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext();
  await eventually(async () => (await system.status(accountId)).phase === 'incremental', 30_000);
}, 60_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await system?.stop();
});

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${system.apiUrl}/support`);
  await page.waitForURL((url) => url.pathname === '/support/login');
  await page.fill('#token', token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const phaseOf = async (page: Page) => page.getByTestId('summary').getByTestId('phase').textContent();

describe(`support console in Chromium${skipNote}`, () => {
  it.skipIf(noChromium)('a wrong token is refused and sets no session', async () => {
    const page = await context.newPage();
    await signIn(page, `${system.config.SUPPORT_TOKEN}x`);
    expect(await page.getByTestId('problem').textContent()).toContain('not the support token');
    expect(await context.cookies(`${system.apiUrl}/support`)).toEqual([]);
    // Without a session every page sends the browser to sign in.
    await page.goto(`${system.apiUrl}/support/connections/${accountId}/production`);
    expect(new URL(page.url()).pathname).toBe('/support/login');
    await page.close();
  });

  it.skipIf(noChromium)('sign in, page through and find a connection by account, pause and resume it', async () => {
    const page = await context.newPage();
    await signIn(page, system.config.SUPPORT_TOKEN);
    await page.waitForURL((url) => url.pathname === '/support/connections');
    const [cookie] = await context.cookies(`${system.apiUrl}/support`);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/support', secure: false });

    // 31 connections: 25 on the first page, the rest on the next.
    expect(await page.locator('[data-testid="connections"] tbody tr').count()).toBe(25);
    await page.getByRole('link', { name: 'Next →' }).click();
    expect(await page.locator('[data-testid="connections"] tbody tr').count()).toBe(6);

    await page.fill('#q', 'console-live');
    await page.getByRole('button', { name: 'Filter' }).click();
    const row = page.locator(`tr[data-account="${accountId}"]`);
    expect(await page.locator('[data-testid="connections"] tbody tr').count()).toBe(1);
    expect(await row.getByTestId('phase').textContent()).toBe('incremental');
    expect(await row.textContent()).toContain(system.production.orgId);
    await page.screenshot({ path: path.join(screenshots, 'list-search.png'), fullPage: true });
    await page.selectOption('#phase', 'paused');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.getByTestId('empty').count()).toBe(1);

    await page.goto(`${system.apiUrl}/support/connections/${accountId}/production`);
    expect(await phaseOf(page)).toBe('incremental');
    expect(await page.getByTestId('workflow-link').getAttribute('href')).toBe(`${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(`salesforce-connection:${accountId}:production`)}`);
    expect(await page.getByTestId('current-error').textContent()).toContain('No current error');
    expect(await page.getByTestId('objects').textContent()).toContain('Contact');

    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await page.getByTestId('notice').textContent()).toContain('Paused');
    expect(await phaseOf(page)).toBe('paused');
    expect((await system.status(accountId)).phase).toBe('paused');
    await page.screenshot({ path: path.join(screenshots, 'connection-paused.png'), fullPage: true });
    // The phase filter reads Temporal's visibility (updated a moment after the workflow's search attribute).
    await eventually(async () => {
      await page.goto(`${system.apiUrl}/support/connections?phase=paused`);
      return (await page.locator(`tr[data-account="${accountId}"]`).count()) === 1;
    }, 15_000);

    await page.goto(`${system.apiUrl}/support/connections/${accountId}/production`);
    await page.getByRole('button', { name: 'Resume' }).click();
    expect(await page.getByTestId('notice').textContent()).toContain('Resumed');
    expect(await phaseOf(page)).not.toBe('paused');
    await page.close();
  });

  it.skipIf(noChromium)('set an off-hours window: a resync waits for it (waiting_offhours, next start); clear it; set the allocation', async () => {
    const page = await context.newPage();
    await page.goto(`${system.apiUrl}/support/connections/${accountId}/production`);
    // A UTC window two to three hours from now: closed now.
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const opensAt = Date.now() + 2 * 60 * 60 * 1000;
    await page.fill('#window-start', hhmm(opensAt));
    await page.fill('#window-end', hhmm(opensAt + 60 * 60 * 1000));
    expect(await page.locator('#window-timezone option').count()).toBeGreaterThan(300);
    await page.selectOption('#window-timezone', 'UTC');
    await page.getByRole('button', { name: 'Set window' }).click();
    expect(await page.getByTestId('notice').textContent()).toContain('Window set; next start');
    expect(await page.getByTestId('window').textContent()).toContain(`${hhmm(opensAt)}`);
    const nextStart = await page.getByTestId('next-start').textContent();
    expect(nextStart).toContain(`T${hhmm(opensAt)}:00.000Z`);

    // A resync is heavy work: it waits for the window.
    await page.getByRole('button', { name: 'Resync' }).click();
    await eventually(async () => {
      await page.goto(`${system.apiUrl}/support/connections/${accountId}/production`);
      return (await phaseOf(page)) === 'waiting_offhours';
    }, 20_000);
    expect(await page.getByTestId('next-start').textContent()).toBe(nextStart);
    expect(await page.getByTestId('waiting').textContent()).toContain(new Date(Date.parse(nextStart!.slice(0, 24))).toISOString());
    await page.screenshot({ path: path.join(screenshots, 'waiting-offhours.png'), fullPage: true });

    await page.getByRole('button', { name: 'Clear window' }).click();
    expect(await page.getByTestId('notice').textContent()).toContain('Window cleared');
    await eventually(async () => {
      await page.goto(`${system.apiUrl}/support/connections/${accountId}/production`);
      return (await phaseOf(page)) !== 'waiting_offhours';
    }, 20_000);

    await page.fill('#allocation-share', '0.25');
    await page.getByRole('button', { name: 'Set allocation' }).click();
    expect(await page.getByTestId('notice').textContent()).toContain('Allocation set');
    expect(await page.getByTestId('allocation-summary').textContent()).toContain('25% of the org');
    // A bad window is refused with the reason, and nothing changes.
    await page.fill('#window-start', '01:00');
    await page.fill('#window-end', '01:00');
    await page.getByRole('button', { name: 'Set window' }).click();
    expect(await page.getByTestId('problem').textContent()).toContain('must differ');
    expect(await page.getByTestId('window').textContent()).toContain('none');
    await page.close();
  });

  it.skipIf(noChromium)('form posts without the session token, or from another site, are refused', async () => {
    const pauseUrl = `${system.apiUrl}/support/connections/${accountId}/production/pause`;
    // Signed in (the previous test's session), same origin, but no CSRF token in the form.
    const missingToken = await context.request.post(pauseUrl, { form: { command: 'pause' }, headers: { origin: system.apiUrl } });
    expect(missingToken.status()).toBe(403);
    expect(await missingToken.text()).toContain('security token');

    // Another site's page auto-submits a form to the console (the browser's SameSite=Strict cookie stays home).
    const page = await context.newPage();
    await page.route('http://attacker.example/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form id="f" method="post" action="${pauseUrl}"><input name="_csrf" value="guess"></form><script>document.getElementById('f').submit()</script>`,
      }),
    );
    const answer = page.waitForResponse((response) => response.url() === pauseUrl);
    await page.goto('http://attacker.example/');
    expect((await answer).status()).toBe(403);
    expect(await page.getByTestId('problem').textContent()).toContain('not sent from this site');
    expect((await system.status(accountId)).phase).not.toBe('paused');
    await page.close();
  });
});

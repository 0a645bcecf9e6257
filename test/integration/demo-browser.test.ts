import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { TokenVault } from '../../platform/token-vault.js';
import { createLogger } from '../../platform/logger.js';
import { eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

// The local demo page (`npm start`) clicked through in a real browser: demo page → emulator login →
// consent → callback → back on the demo page, connected, with the org's live status.
const CHROMIUM = '/usr/bin/chromium';
const noChromium = !existsSync(CHROMIUM);
const skipNote = noChromium ? ` (skipped: ${CHROMIUM} is missing; .ci/run installs Debian's chromium)` : '';
const screenshots = mkdtempSync(path.join(os.tmpdir(), 'ff-demo-browser-'));

let system: TestSystem;
let browser: Browser;
beforeAll(async () => {
  if (noChromium) return;
  system = await startTestSystem({}, { demo: true });
  // playwright-core gives every launch a fresh temporary user-data dir (removed on close).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe(`local demo page in Chromium${skipNote}`, () => {
  it.skipIf(noChromium).each(['sandbox', 'production'] as const)('%s: connect → login → consent → back connected, then disconnect', async (environment) => {
    const org = system[environment];
    const accountId = `demo-${environment}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${system.apiUrl}/demo`);
      // The page tells a person what to type on the Salesforce login page.
      const login = page.locator(`[data-testid="demo-logins"] tr[data-environment="${environment}"]`);
      expect(await login.textContent()).toContain(org.username);
      expect(await login.textContent()).toContain(org.password);
      expect(await page.inputValue('#accountId')).toBe('demo-account');

      await page.fill('#accountId', accountId);
      await page.selectOption('#environment', environment);
      await page.getByRole('button', { name: 'Connect Salesforce' }).click();

      // The environment's own login host (test.salesforce.com's stand-in for a sandbox).
      await page.waitForURL((url) => url.pathname === '/services/oauth2/authorize');
      // The connect step bound the flow to this browser with an HttpOnly cookie for the callback only.
      const [binding] = (await context.cookies(system.apiUrl + '/api/integrations/salesforce/callback')).filter((c) => c.name.startsWith('ff_sf_oauth_'));
      expect(binding).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/api/integrations/salesforce/callback' });
      const loginHost = environment === 'sandbox' ? system.emulator.sandboxUrl : system.emulator.productionUrl;
      expect(new URL(page.url()).origin).toBe(new URL(loginHost).origin);
      await page.fill('#username', org.username);
      await page.fill('#password', org.password);
      await page.getByRole('button', { name: 'Log In' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();

      await page.waitForURL((url) => url.pathname === '/demo' && url.searchParams.get('salesforce') === 'connected');
      const landed = new URL(page.url());
      expect(landed.searchParams.get('accountId')).toBe(accountId);
      expect(landed.searchParams.get('environment')).toBe(environment);
      expect((await context.cookies(system.apiUrl + '/api/integrations/salesforce/callback')).filter((c) => c.name.startsWith('ff_sf_oauth_'))).toEqual([]);
      expect(await page.getByTestId('connected').textContent()).toContain('Connected');
      expect(await page.getByTestId('org-id').textContent()).toBe(org.orgId);

      // The workflow checks the org, then the status shows the incremental phase and API usage.
      await eventually(async () => {
        await page.reload();
        return (await page.getByTestId('phase').textContent()) === 'incremental';
      }, 20_000);
      expect(await page.getByTestId('org-id').textContent()).toBe(org.orgId);
      expect(await page.getByTestId('api-usage').textContent()).toMatch(/^[1-9][\d,]* of 100,000 daily calls$/);
      expect(await page.getByTestId('last-check').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
      await page.screenshot({ path: path.join(screenshots, `${environment}-connected.png`), fullPage: true });

      await page.getByTestId('disconnect').click();
      await page.waitForURL((url) => url.searchParams.get('salesforce') === 'disconnected');
      expect(await page.getByTestId('disconnected').textContent()).toContain('Disconnected');
      expect(await page.getByTestId('phase').textContent()).toBe('disconnected');
      const [row] = await system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', accountId).execute();
      expect(row).toMatchObject({ environment, status: 'disconnected', refresh_token_ciphertext: null });
    } finally {
      await context.close();
    }
  });

  it.skipIf(noChromium)('denied consent lands on the page with the error, its code and fix', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${system.apiUrl}/demo`);
      await page.fill('#accountId', 'demo-deny');
      await page.getByRole('button', { name: 'Connect Salesforce' }).click();
      await page.fill('#username', system.production.username);
      await page.fill('#password', system.production.password);
      await page.getByRole('button', { name: 'Log In' }).click();
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.waitForURL((url) => url.pathname === '/demo' && url.searchParams.get('salesforce') === 'error');
      expect(await page.getByTestId('error-code').textContent()).toBe('ACCESS_DENIED');
      expect(await page.getByTestId('error').textContent()).toContain('Allow');
      expect(await page.getByTestId('connected').count()).toBe(0);
      await page.screenshot({ path: path.join(screenshots, 'denied.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it.skipIf(noChromium)('an authorize URL opened in another browser connects nothing: BROWSER_MISMATCH with its fix', async () => {
    const [starter, other] = [await browser.newContext(), await browser.newContext()];
    try {
      const page = await starter.newPage();
      await page.goto(`${system.apiUrl}/demo`);
      await page.fill('#accountId', 'demo-forwarded');
      await page.getByRole('button', { name: 'Connect Salesforce' }).click();
      await page.waitForURL((url) => url.pathname === '/services/oauth2/authorize');

      // The link is sent to someone else, who logs in to their own org in their own browser.
      const victim = await other.newPage();
      await victim.goto(page.url());
      await victim.fill('#username', system.production.username);
      await victim.fill('#password', system.production.password);
      await victim.getByRole('button', { name: 'Log In' }).click();
      await victim.getByRole('button', { name: 'Allow' }).click();
      await victim.waitForURL((url) => url.pathname === '/demo' && url.searchParams.get('salesforce') === 'error');
      expect(await victim.getByTestId('error-code').textContent()).toBe('BROWSER_MISMATCH');
      expect(await victim.getByTestId('error').textContent()).toContain('same browser');
      const rows = await system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', 'demo-forwarded').execute();
      expect(rows).toEqual([]);
    } finally {
      await starter.close();
      await other.close();
    }
  });

  it.skipIf(noChromium)('a bad form answers 400 naming the field; the page escapes what it echoes', async () => {
    const response = await fetch(`${system.apiUrl}/demo/connect`, {
      method: 'POST',
      body: new URLSearchParams({ accountId: '<b>x</b>:1', environment: 'staging' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain('accountId: accountId may contain only');
    expect(body).toContain('environment:');
    expect(body).toContain('value="&lt;b&gt;x&lt;/b&gt;:1"');
    expect(body).not.toContain('<b>x</b>');

    const echoed = await fetch(`${system.apiUrl}/demo?salesforce=error&code=X&message=${encodeURIComponent('<script>alert(1)</script>')}&fix=f`);
    const page = await echoed.text();
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
  });

  it.skipIf(noChromium)('the demo routes exist only when the caller mounts them', async () => {
    const app = createApp({
      config: system.config,
      db: system.database.db,
      vault: TokenVault.fromConfig(system.config),
      temporal: system.temporal,
      probes: { database: async () => true, temporal: async () => true },
      logger: createLogger({ level: 'silent' }),
    });
    expect((await app.request('/demo')).status).toBe(404);
    expect((await app.request('/demo/connect', { method: 'POST' })).status).toBe(404);
  });
});

import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { connectionStatus, disconnectConnection, type LifecycleDeps } from '../api/connections/lifecycle.js';
import { beginAuthorization } from '../api/connections/oauth-flow.js';
import { bindingCookieOptions } from '../api/connections/browser-binding.js';
import type { ConnectionStatus } from '../domain/connection-status.js';
import { AccountId, Environment } from '../api/schemas.js';
import { fieldErrors } from '../api/validation.js';

// The local demo page `npm start` points APP_URL at: start a connection, log in to the emulator,
// land back here and see the status. Mounted only in demo mode, so it has no bearer token.

export interface DemoPageOptions {
  logins: Array<{ environment: 'production' | 'sandbox'; username: string; password: string }>;
}

const DemoTarget = z.object({ accountId: AccountId, environment: Environment });
type DemoTarget = z.infer<typeof DemoTarget>;

type Banner =
  | { kind: 'connected' | 'disconnected'; target: DemoTarget }
  | { kind: 'error'; code: string; message: string; fix: string };

interface PageModel {
  form: { accountId: string; environment: string };
  banner?: Banner;
  status?: { target: DemoTarget; value: ConnectionStatus | null } | { target: DemoTarget; unavailable: string };
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f6f9;color:#1d2733;margin:0}
main{max-width:640px;margin:40px auto;padding:0 16px}h1{font-size:22px;margin-bottom:4px}
.sub{color:#5a6776;margin-top:0}section{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:18px 22px;margin:16px 0}
h2{font-size:16px;margin:0 0 12px}label{display:block;font-size:13px;margin:10px 0 4px}
input,select{width:100%;padding:8px;box-sizing:border-box;font:inherit}
button{margin-top:14px;padding:8px 16px;font:inherit;border-radius:4px;border:1px solid #0b5cab;background:#0b5cab;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#b3261e;border-color:#b3261e}
.banner{padding:12px 16px;border-radius:6px;margin:16px 0}.ok{background:#e3f5e6;border:1px solid #2e844a}
.bad{background:#fdecea;border:1px solid #c23934}.info{background:#eef1f6;border:1px solid #8a96a3}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0}dt{color:#5a6776}dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #e5e8ec}
code{background:#eef1f6;padding:1px 4px;border-radius:3px}.row{display:flex;gap:16px;align-items:center;margin-top:14px}.row button{margin-top:0}a{color:#0b5cab}`;

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '—');
const count = (n: number) => n.toLocaleString('en-US');

function bannerView(banner: Banner | undefined) {
  if (!banner) return '';
  if (banner.kind === 'error') {
    return html`<div class="banner bad" data-testid="error" role="alert">
      <strong>Salesforce connection failed: <code data-testid="error-code">${banner.code}</code></strong>
      <p>${banner.message}</p>
      ${banner.fix ? html`<p><strong>How to fix:</strong> ${banner.fix}</p>` : ''}
    </div>`;
  }
  const { accountId, environment } = banner.target;
  return banner.kind === 'connected'
    ? html`<div class="banner ok" data-testid="connected" role="status"><strong>Connected</strong> — account <code>${accountId}</code> is connected to its ${environment} Salesforce org.</div>`
    : html`<div class="banner info" data-testid="disconnected" role="status"><strong>Disconnected</strong> — account <code>${accountId}</code> (${environment}) no longer syncs; its tokens are erased.</div>`;
}

function statusView(status: PageModel['status']) {
  if (!status) return '';
  const { accountId, environment } = status.target;
  const heading = html`<h2>Connection status: <code>${accountId}</code> (${environment})</h2>`;
  if ('unavailable' in status) return html`<section data-testid="status">${heading}<p>Status unavailable: ${status.unavailable}</p></section>`;
  const s = status.value;
  if (!s) return html`<section data-testid="status">${heading}<p>This account has never connected a ${environment} org.</p></section>`;
  const objects = Object.entries(s.objects);
  return html`<section data-testid="status">
    ${heading}
    <dl>
      <dt>Phase</dt><dd><code data-testid="phase">${s.phase}</code></dd>
      <dt>Org id</dt><dd><code data-testid="org-id">${s.orgId}</code></dd>
      <dt>API usage</dt><dd data-testid="api-usage">${s.apiUsage ? `${count(s.apiUsage.used)} of ${count(s.apiUsage.max)} daily calls` : 'not checked yet'}</dd>
      <dt>Last check</dt><dd data-testid="last-check">${when(s.lastCheckedAt)}</dd>
      <dt>Last sync</dt><dd>${when(s.lastSyncAt)}</dd>
      <dt>Connected at</dt><dd>${when(s.connectedAt)}</dd>
      ${s.endedReason ? html`<dt>Ended</dt><dd>${s.endedReason}</dd>` : ''}
      ${s.error ? html`<dt>Error</dt><dd><code>${s.error.code}</code> ${s.error.message}<br /><strong>Fix:</strong> ${s.error.fix}</dd>` : ''}
    </dl>
    ${objects.length > 0
      ? html`<table><tr><th>Object</th><th>Records</th><th>Last sync</th></tr>${objects.map(
          ([name, o]) => html`<tr><td>${name}</td><td>${count(o.records)}</td><td>${when(o.lastSyncAt)}</td></tr>`,
        )}</table>`
      : ''}
    <div class="row">
      <a href="/demo?${new URLSearchParams({ accountId, environment }).toString()}">Refresh status</a>
      ${s.phase === 'disconnected'
        ? ''
        : html`<form method="post" action="/demo/disconnect">
            <input type="hidden" name="accountId" value="${accountId}" />
            <input type="hidden" name="environment" value="${environment}" />
            <button type="submit" class="secondary" data-testid="disconnect">Disconnect</button>
          </form>`}
    </div>
  </section>`;
}

function page(demo: DemoPageOptions, model: PageModel) {
  const option = (value: string, label: string) =>
    html`<option value="${value}" ${model.form.environment === value ? 'selected' : ''}>${label}</option>`;
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>FastFollow ⇄ Salesforce — local demo</title>
  <style>${STYLE}</style>
</head>
<body>
<main>
  <h1>FastFollow ⇄ Salesforce</h1>
  <p class="sub">Local demo: connect an emulated Salesforce org the way a FastFollow customer would.</p>
  ${bannerView(model.banner)}
  ${statusView(model.status)}
  <section>
    <h2>Connect a Salesforce org</h2>
    <form method="post" action="/demo/connect">
      <label for="accountId">FastFollow account id</label>
      <input id="accountId" name="accountId" value="${model.form.accountId}" required />
      <label for="environment">Salesforce environment</label>
      <select id="environment" name="environment">
        ${option('production', 'Production (login.salesforce.com)')}
        ${option('sandbox', 'Sandbox (test.salesforce.com)')}
      </select>
      <button type="submit" data-testid="connect">Connect Salesforce</button>
    </form>
  </section>
  <section data-testid="demo-logins">
    <h2>Demo logins for the Salesforce login page</h2>
    <table>
      <tr><th>Environment</th><th>Username</th><th>Password</th></tr>
      ${demo.logins.map(
        (login) => html`<tr data-environment="${login.environment}"><td>${login.environment}</td><td><code>${login.username}</code></td><td><code>${login.password}</code></td></tr>`,
      )}
    </table>
  </section>
</main>
</body>
</html>`;
}

export function registerDemoRoutes(app: OpenAPIHono, deps: LifecycleDeps, demo: DemoPageOptions): void {
  app.get('/demo', async (c) => {
    const query = c.req.query();
    const target = DemoTarget.safeParse(query);
    const model: PageModel = {
      form: { accountId: target.success ? target.data.accountId : 'demo-account', environment: target.success ? target.data.environment : 'production' },
    };
    if (query.salesforce === 'error') {
      model.banner = { kind: 'error', code: query.code ?? 'UNKNOWN', message: query.message ?? '', fix: query.fix ?? '' };
    } else if (target.success && (query.salesforce === 'connected' || query.salesforce === 'disconnected')) {
      model.banner = { kind: query.salesforce, target: target.data };
    }
    if (target.success && query.salesforce !== 'error') {
      try {
        model.status = { target: target.data, value: await connectionStatus(deps, target.data.accountId, target.data.environment) };
      } catch (error) {
        deps.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'demo page: connection status unavailable');
        model.status = { target: target.data, unavailable: 'Temporal or the database did not answer; try again.' };
      }
    }
    return c.html(page(demo, model));
  });

  const readTarget = (body: Record<string, unknown>) => {
    const parsed = DemoTarget.safeParse(body);
    if (parsed.success) return { ok: true as const, target: parsed.data };
    const form = { accountId: String(body.accountId ?? ''), environment: String(body.environment ?? '') };
    const message = fieldErrors(parsed.error)
      .map((field) => `${field.path}: ${field.message}`)
      .join('; ');
    return { ok: false as const, view: page(demo, { form, banner: { kind: 'error', code: 'VALIDATION_FAILED', message, fix: 'Correct the form and try again.' } }) };
  };

  app.post('/demo/connect', async (c) => {
    const read = readTarget(await c.req.parseBody());
    if (!read.ok) return c.html(read.view, 400);
    const { authorizeUrl, binding } = await beginAuthorization(deps, read.target.accountId, read.target.environment);
    // What the FastFollow app does: hand the binding cookie to this browser, then send it to Salesforce.
    // The demo is served on the API's origin, so the cookie reaches the callback as is.
    setCookie(c, binding.cookie, binding.value, { ...bindingCookieOptions(deps.config.SALESFORCE_CALLBACK_URL), maxAge: binding.maxAgeSeconds });
    return c.redirect(authorizeUrl, 302);
  });

  app.post('/demo/disconnect', async (c) => {
    const read = readTarget(await c.req.parseBody());
    if (!read.ok) return c.html(read.view, 400);
    await disconnectConnection(deps, read.target.accountId, read.target.environment);
    return c.redirect(`/demo?${new URLSearchParams({ salesforce: 'disconnected', ...read.target }).toString()}`, 303);
  });
}

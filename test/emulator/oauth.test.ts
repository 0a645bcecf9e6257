import { createHash, createHmac } from 'node:crypto';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, browserAuthorize, CALLBACK, connect, createOrgFixture, oauth2For, parseForm, postForm, startWorld, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.emulator.close();
});

async function tokenRequest(loginUrl: string, params: Record<string, string>) {
  const res = await fetch(`${loginUrl}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams(params) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('OAuth web-server flow', () => {
  it('authorises jsforce with PKCE through the HTML login and consent forms', async () => {
    const fx = await createOrgFixture(world);
    const oauth2 = oauth2For(fx);
    const url = oauth2.getAuthorizationUrl({ state: 'xyz 1' });
    expect(url).toContain('code_challenge=');

    const loginPage = await (await fetch(url)).text();
    const form = parseForm(loginPage);
    expect(Object.keys(form.fields)).toEqual(expect.arrayContaining(['username', 'password']));
    expect(loginPage).toMatch(/<form[^>]+method="post"/);

    const redirect = await browserAuthorize(url, fx.username, fx.password);
    expect(redirect.get('state')).toBe('xyz 1');
    const conn = new jsforce.Connection({ oauth2, version: '62.0' });
    const userInfo = await conn.authorize(redirect.get('code')!);
    expect(userInfo.organizationId).toBe(fx.orgId);
    expect(userInfo.id).toBe(fx.userId);
    expect(conn.instanceUrl).toBe(world.emulator.productionUrl);
    expect(conn.refreshToken).toMatch(/^5Aep861/);
    const result = await conn.query('SELECT Id, Username FROM User WHERE Id = \'' + fx.userId + '\'');
    expect(result.records[0]?.Username).toBe(fx.username);
  });

  it('lists the requested scopes on the consent page and answers with the exact token shape', async () => {
    const fx = await createOrgFixture(world);
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = `${fx.loginUrl}/services/oauth2/authorize?response_type=code&client_id=${fx.clientId}&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=${encodeURIComponent('api refresh_token')}&code_challenge=${challenge}&code_challenge_method=S256&state=s1`;
    const login = parseForm(await (await fetch(url)).text());
    const afterLogin = await postForm(new URL(login.action, url).toString(), { ...login.fields, username: fx.username, password: fx.password });
    const consentHtml = await (await fetch(new URL(afterLogin.headers.get('location')!, url))).text();
    expect(consentHtml).toContain('data-scope="api"');
    expect(consentHtml).toContain('data-scope="refresh_token"');
    expect(consentHtml).not.toContain('data-scope="full"');
    expect(consentHtml).toMatch(/value="allow"/);
    expect(consentHtml).toMatch(/value="deny"/);

    const redirect = await browserAuthorize(url, fx.username, fx.password);
    const { status, body } = await tokenRequest(fx.loginUrl, {
      grant_type: 'authorization_code', code: redirect.get('code')!, client_id: fx.clientId, client_secret: fx.clientSecret,
      redirect_uri: CALLBACK, code_verifier: verifier,
    });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['access_token', 'refresh_token', 'signature', 'scope', 'instance_url', 'id', 'token_type', 'issued_at']);
    expect(body.scope).toBe('api refresh_token');
    expect(body.token_type).toBe('Bearer');
    expect(body.issued_at).toMatch(/^\d{13}$/);
    expect(body.id).toBe(`${fx.loginUrl}/id/${fx.orgId}/${fx.userId}`);
    expect(body.access_token!.startsWith(fx.orgId.slice(0, 15) + '!')).toBe(true);
    expect(body.signature).toBe(createHmac('sha256', fx.clientSecret).update(body.id! + body.issued_at).digest('base64'));
  });

  it('keeps the login page with an error for a wrong password', async () => {
    const fx = await createOrgFixture(world);
    const url = oauth2For(fx).getAuthorizationUrl({});
    const form = parseForm(await (await fetch(url)).text());
    const res = await postForm(new URL(form.action, url).toString(), { ...form.fields, username: fx.username, password: 'wrong' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Please check your username and password');
    expect(html).toContain('data-error-code="INVALID_LOGIN"');
    expect(parseForm(html).fields.username).toBe(fx.username);
  });

  it('admits sandbox users only on the sandbox host, and production users only on production', async () => {
    const sandbox = await createOrgFixture(world, { environment: 'sandbox' });
    const production = await createOrgFixture(world);
    expect(sandbox.loginUrl).toBe(world.emulator.sandboxUrl);
    const onProd = oauth2For({ ...sandbox, loginUrl: world.emulator.productionUrl }).getAuthorizationUrl({});
    await expect(browserAuthorize(onProd, sandbox.username, sandbox.password)).rejects.toThrow(/login answered 200/);
    const onSandbox = oauth2For({ ...production, loginUrl: world.emulator.sandboxUrl }).getAuthorizationUrl({});
    await expect(browserAuthorize(onSandbox, production.username, production.password)).rejects.toThrow(/login answered 200/);

    const { conn, userInfo } = await connect(sandbox);
    expect(userInfo.url).toBe(`${world.emulator.sandboxUrl}/id/${sandbox.orgId}/${sandbox.userId}`);
    expect(conn.instanceUrl).toBe(world.emulator.productionUrl);
  });

  it('shows error pages (no redirect) for a mismatched redirect_uri and an unknown client id', async () => {
    const fx = await createOrgFixture(world);
    const mismatch = await fetch(`${fx.loginUrl}/services/oauth2/authorize?response_type=code&client_id=${fx.clientId}&redirect_uri=${encodeURIComponent(CALLBACK + '/x')}`, { redirect: 'manual' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.headers.get('location')).toBeNull();
    const html = await mismatch.text();
    expect(html).toContain('redirect_uri_mismatch');
    expect(html).toContain('redirect_uri must match configuration');

    const unknown = await fetch(`${fx.loginUrl}/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(CALLBACK)}`, { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('invalid_client_id');
  });

  it('redirects with access_denied and the state when the user denies', async () => {
    const fx = await createOrgFixture(world);
    const redirect = await browserAuthorize(oauth2For(fx).getAuthorizationUrl({ state: 'abc' }), fx.username, fx.password, 'deny');
    expect(redirect.get('error')).toBe('access_denied');
    expect(redirect.get('error_description')).toBe('end-user denied authorization');
    expect(redirect.get('state')).toBe('abc');
    expect(redirect.get('code')).toBeNull();
  });

  it('refuses an authorize request without code_challenge when the app requires PKCE', async () => {
    const fx = await createOrgFixture(world, { requirePkce: true });
    const res = await fetch(oauth2For(fx, false).getAuthorizationUrl({ state: 'p' }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const q = new URL(res.headers.get('location')!).searchParams;
    expect(q.get('error')).toBe('invalid_request');
    expect(q.get('state')).toBe('p');
  });

  it('verifies the PKCE verifier, uses codes once, and expires them after 15 minutes', async () => {
    const fx = await createOrgFixture(world);
    const oauth2 = oauth2For(fx);
    const codeFor = async () => (await browserAuthorize(oauth2.getAuthorizationUrl({}), fx.username, fx.password)).get('code')!;
    const base = { grant_type: 'authorization_code', client_id: fx.clientId, client_secret: fx.clientSecret, redirect_uri: CALLBACK };

    const wrongVerifier = await tokenRequest(fx.loginUrl, { ...base, code: await codeFor(), code_verifier: 'not-the-verifier' });
    expect(wrongVerifier).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'invalid code verifier' } });

    const code = await codeFor();
    const ok = await tokenRequest(fx.loginUrl, { ...base, code, code_verifier: oauth2.codeVerifier! });
    expect(ok.status).toBe(200);
    const again = await tokenRequest(fx.loginUrl, { ...base, code, code_verifier: oauth2.codeVerifier! });
    expect(again.body.error).toBe('invalid_grant');

    const late = await codeFor();
    await world.control.setClock(16 * 60 * 1000);
    try {
      const expired = await tokenRequest(fx.loginUrl, { ...base, code: late, code_verifier: oauth2.codeVerifier! });
      expect(expired.body).toEqual({ error: 'invalid_grant', error_description: 'expired authorization code' });
    } finally {
      await world.control.setClock(0);
    }

    const mismatch = await tokenRequest(fx.loginUrl, { ...base, code: await codeFor(), code_verifier: oauth2.codeVerifier!, redirect_uri: CALLBACK + '?x' });
    expect(mismatch.body.error).toBe('redirect_uri_mismatch');
    const badSecret = await tokenRequest(fx.loginUrl, { ...base, code: await codeFor(), code_verifier: oauth2.codeVerifier!, client_secret: 'nope' });
    expect(badSecret.body).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });
});

describe('refresh tokens', () => {
  it('rotates refresh tokens when the app says so; the new one keeps working', async () => {
    const fx = await createOrgFixture(world, { rotateRefreshTokens: true });
    const { conn, oauth2 } = await connect(fx);
    const first = conn.refreshToken!;
    const refreshed = await oauth2.refreshToken(first);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(first);
    expect(refreshed.access_token).not.toBe(conn.accessToken);
    const again = await oauth2.refreshToken(refreshed.refresh_token!);
    expect(again.refresh_token).toBeDefined();
  });

  it('presenting a rotated-out refresh token invalidates the whole grant, the current tokens included', async () => {
    const fx = await createOrgFixture(world, { rotateRefreshTokens: true });
    const { conn, oauth2 } = await connect(fx);
    const first = conn.refreshToken!;
    const current = await oauth2.refreshToken(first);
    expect((await api(fx, current.access_token, '/limits')).status).toBe(200);

    await expect(oauth2.refreshToken(first)).rejects.toMatchObject({ name: 'invalid_grant', message: 'expired access/refresh token' });
    await expect(oauth2.refreshToken(current.refresh_token!)).rejects.toMatchObject({ name: 'invalid_grant' });
    expect((await api(fx, current.access_token, '/limits')).status).toBe(401);
    const states = (await world.control.tokens(fx.orgId)).tokens.map((t) => t.state);
    expect(states.every((s) => s === 'revoked')).toBe(true);
  });

  it('returns no new refresh token when rotation is off, and the same one keeps working', async () => {
    const fx = await createOrgFixture(world, { rotateRefreshTokens: false });
    const { conn, oauth2 } = await connect(fx);
    const a = await oauth2.refreshToken(conn.refreshToken!);
    const b = await oauth2.refreshToken(conn.refreshToken!);
    expect(a.refresh_token).toBeUndefined();
    expect(b.access_token).not.toBe(a.access_token);
  });

  it('lets one of several concurrent refreshes with the same token win', async () => {
    for (const rotate of [true, false]) {
      const fx = await createOrgFixture(world, { rotateRefreshTokens: rotate });
      const { conn, oauth2 } = await connect(fx);
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => oauth2.refreshToken(conn.refreshToken!)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((x) => x.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason.name).toBe('invalid_grant');
      }
    }
  });

  it('refreshes automatically in jsforce when the session times out, emitting "refresh"', async () => {
    const fx = await createOrgFixture(world, { sessionTimeoutSeconds: 60 });
    const { conn } = await connect(fx);
    const oldToken = conn.accessToken!;
    const oldRefresh = conn.refreshToken!;
    const refreshed: string[] = [];
    const rotated: (string | undefined)[] = [];
    conn.on('refresh', (token: string, res: { refresh_token?: string }) => {
      refreshed.push(token);
      rotated.push(res.refresh_token);
    });
    await world.control.setClock(61_000);
    try {
      const raw = await api(fx, oldToken, '/limits');
      expect(raw.status).toBe(401);
      expect(raw.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      const res = await conn.query('SELECT Id FROM Account');
      expect(res.done).toBe(true);
      expect(refreshed).toHaveLength(1);
      expect(conn.accessToken).not.toBe(oldToken);
      // With rotation the new refresh token arrives only in the event; jsforce keeps the old one.
      expect(rotated[0]).toMatch(/^5Aep861/);
      expect(conn.refreshToken).toBe(oldRefresh);
      await expect(conn.oauth2.refreshToken(oldRefresh)).rejects.toMatchObject({ name: 'invalid_grant' });
    } finally {
      await world.control.setClock(0);
    }
    const tokens = (await world.control.tokens(fx.orgId)).tokens;
    // Presenting the rotated-out token above ended the whole grant (Salesforce's reuse rule), expiry aside.
    expect(tokens.find((t) => t.token === oldToken)?.state).toBe('revoked');
  });
});

describe('revocation and identity', () => {
  it('revoking the refresh token kills its access tokens', async () => {
    const fx = await createOrgFixture(world);
    const { conn, oauth2 } = await connect(fx);
    await oauth2.revokeToken(conn.refreshToken!);
    expect((await api(fx, conn.accessToken!, '/limits')).status).toBe(401);
    await expect(oauth2.refreshToken(conn.refreshToken!)).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('admin revocation: next call 401 INVALID_SESSION_ID, next refresh invalid_grant', async () => {
    const fx = await createOrgFixture(world);
    const { conn, oauth2 } = await connect(fx);
    expect((await api(fx, conn.accessToken!, '/limits')).status).toBe(200);
    expect(await world.control.revokeAll(fx.orgId, { clientId: fx.clientId })).toEqual({ revoked: 1 });
    const res = await api(fx, conn.accessToken!, '/limits');
    expect(res.status).toBe(401);
    expect(res.body[0].errorCode).toBe('INVALID_SESSION_ID');
    await expect(oauth2.refreshToken(conn.refreshToken!)).rejects.toMatchObject({ name: 'invalid_grant', message: 'expired access/refresh token' });
    const states = (await world.control.tokens(fx.orgId)).tokens.map((t) => t.state);
    expect(states.every((s) => s === 'revoked')).toBe(true);
  });

  it('serves the identity URL and userinfo for a live token only', async () => {
    const fx = await createOrgFixture(world);
    const { conn, userInfo } = await connect(fx);
    const identity = await conn.identity();
    expect(identity).toMatchObject({ user_id: fx.userId, organization_id: fx.orgId, username: fx.username });
    const info = await fetch(`${fx.loginUrl}/services/oauth2/userinfo`, { headers: { authorization: `Bearer ${conn.accessToken}` } });
    expect(await info.json()).toMatchObject({ user_id: fx.userId, organization_id: fx.orgId, preferred_username: fx.username });
    const bad = await fetch(userInfo.url, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(403);
  });
});

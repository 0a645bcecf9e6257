/** @jsxImportSource hono/jsx */
// A Salesforce login host: the OAuth 2.0 web-server flow (authorize → login → consent → code),
// the token endpoint (authorization_code, refresh_token), revoke, and identity / userinfo.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { EmulatorState, Environment, Org, UserAccount } from '../store.js';
import { ConsentPage, ErrorPage, LoginPage } from './pages.js';
import type { AccessToken, Grant } from './tokens.js';
import { identityBody, userInfoBody } from './identity.js';
import { pause } from '../faults.js';

const CODE_LIFETIME_MS = 15 * 60 * 1000;
const LOGIN_ERROR = "Please check your username and password. If you still can't log in, contact your Salesforce administrator.";

const oauthError = (c: Context, error: string, description: string, status: 400 | 401 = 400) =>
  c.json({ error, error_description: description }, status);

const errorPage = (c: Context, error: string, description: string) =>
  c.html(<ErrorPage error={error} description={description} />, 400);

function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

const sha256Base64Url = (s: string) => createHash('sha256').update(s).digest('base64url');

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Reads a bearer token the way Salesforce accepts it: Authorization header or oauth_token parameter. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const m = header?.match(/^(?:Bearer|OAuth)\s+(.+)$/i);
  return m?.[1]?.trim() ?? c.req.query('oauth_token') ?? undefined;
}

export function loginHostApp(state: EmulatorState, host: Environment): Hono {
  const app = new Hono();
  const hostLabel = host === 'sandbox' ? 'Sandbox' : 'Production';
  const tokens = state.tokens;

  app.get('/', (c) => c.redirect('/services/oauth2/authorize'));

  app.get('/services/oauth2/authorize', (c) => {
    const q = c.req.query();
    const appConfig = q.client_id ? state.connectedApps.get(q.client_id) : undefined;
    if (!appConfig) return errorPage(c, 'invalid_client_id', 'client identifier invalid');
    if (!q.redirect_uri || !appConfig.callbackUrls.includes(q.redirect_uri)) {
      return errorPage(c, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    }
    const back = (error: string, description: string) =>
      c.redirect(redirectWith(q.redirect_uri!, { error, error_description: description, state: q.state }), 302);
    if (q.response_type !== 'code') return back('unsupported_response_type', 'response type not supported');
    if (q.code_challenge_method && q.code_challenge_method !== 'S256') return back('invalid_request', 'invalid code challenge method');
    if (appConfig.requirePkce && !q.code_challenge) return back('invalid_request', 'missing required code challenge');
    const requested = q.scope ? q.scope.split(/[\s+]+/).filter(Boolean) : appConfig.scopes;
    if (requested.some((s) => !appConfig.scopes.includes(s))) return back('invalid_scope', 'the requested scope is not allowed');
    const req = tokens.newAuthRequest({
      host,
      clientId: appConfig.clientId,
      redirectUri: q.redirect_uri,
      scopes: requested,
      state: q.state,
      codeChallenge: q.code_challenge,
      createdAt: state.clock.now(),
    });
    return c.html(<LoginPage action="/login" requestId={req.id} hostLabel={hostLabel} />);
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const req = tokens.authRequests.get(String(form.request_id ?? ''));
    if (!req || req.host !== host) return errorPage(c, 'invalid_request', 'authorization request not found or expired');
    const username = String(form.username ?? '').trim();
    const user = state.usersByUsername.get(username.toLowerCase());
    const org = user ? state.org(user.orgId) : undefined;
    // Wrong password, unknown user and a user of the other environment all read the same, as in Salesforce.
    if (!user || !org || !safeEqual(user.password, String(form.password ?? '')) || org.settings.environment !== host) {
      return c.html(<LoginPage action="/login" requestId={req.id} hostLabel={hostLabel} error={LOGIN_ERROR} username={username} />, 200);
    }
    req.userId = user.id;
    req.orgId = org.id;
    return c.redirect(`/services/oauth2/consent?request_id=${encodeURIComponent(req.id)}`, 302);
  });

  app.get('/services/oauth2/consent', (c) => {
    const req = tokens.authRequests.get(c.req.query('request_id') ?? '');
    const user = req?.userId && req.orgId ? state.org(req.orgId)?.users.get(req.userId) : undefined;
    if (!req || !user || req.host !== host) return errorPage(c, 'invalid_request', 'authorization request not found or expired');
    return c.html(<ConsentPage action="/services/oauth2/consent" requestId={req.id} clientId={req.clientId} username={user.username} scopes={req.scopes} />);
  });

  app.post('/services/oauth2/consent', async (c) => {
    const form = await c.req.parseBody();
    const req = tokens.authRequests.get(String(form.request_id ?? ''));
    const org = req?.orgId ? state.org(req.orgId) : undefined;
    if (!req || !req.userId || !org || req.host !== host) return errorPage(c, 'invalid_request', 'authorization request not found or expired');
    tokens.authRequests.delete(req.id);
    if (form.decision !== 'allow') {
      return c.redirect(redirectWith(req.redirectUri, { error: 'access_denied', error_description: 'end-user denied authorization', state: req.state }), 302);
    }
    const code = tokens.newCode({
      host, clientId: req.clientId, redirectUri: req.redirectUri, scopes: req.scopes,
      codeChallenge: req.codeChallenge, orgId: org.id, userId: req.userId, issuedAt: org.now(),
    });
    return c.redirect(redirectWith(req.redirectUri, { code: code.code, state: req.state }), 302);
  });

  function tokenResponse(org: Org, grant: Grant, at: AccessToken, refreshToken: string | undefined, secret: string) {
    const id = `${state.loginUrl(org.settings.environment)}/id/${org.id}/${grant.userId}`;
    const issuedAt = String(at.issuedAt);
    const signature = createHmac('sha256', secret).update(id + issuedAt).digest('base64');
    return {
      access_token: at.token,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      signature,
      scope: grant.scopes.join(' '),
      instance_url: state.productionUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
  }

  app.post('/services/oauth2/token', async (c) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    const grantType = form.grant_type;
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return oauthError(c, 'unsupported_grant_type', 'grant type not supported');
    }
    const appConfig = form.client_id ? state.connectedApps.get(form.client_id) : undefined;
    if (!appConfig) return oauthError(c, 'invalid_client_id', 'client identifier invalid');
    const secretGiven = typeof form.client_secret === 'string' && form.client_secret !== '';
    if (secretGiven ? !safeEqual(form.client_secret!, appConfig.clientSecret) : appConfig.requireSecret) {
      return oauthError(c, 'invalid_client', 'invalid client credentials');
    }

    if (grantType === 'authorization_code') {
      const code = tokens.codes.get(form.code ?? '');
      const org = code ? state.org(code.orgId) : undefined;
      if (!code || !org || code.clientId !== appConfig.clientId || code.host !== host) {
        return oauthError(c, 'invalid_grant', 'invalid authorization code');
      }
      org.usage.recordTokenRequest(org.now());
      if (code.used) return oauthError(c, 'invalid_grant', 'invalid authorization code');
      if (org.now() - code.issuedAt > CODE_LIFETIME_MS) return oauthError(c, 'invalid_grant', 'expired authorization code');
      if (form.redirect_uri !== code.redirectUri) return oauthError(c, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
      if (code.codeChallenge && (!form.code_verifier || sha256Base64Url(form.code_verifier) !== code.codeChallenge)) {
        return oauthError(c, 'invalid_grant', 'invalid code verifier');
      }
      code.used = true;
      const grant = tokens.newGrant({ clientId: appConfig.clientId, orgId: org.id, userId: code.userId, scopes: code.scopes, host });
      const at = tokens.issueAccessToken(grant, org.now());
      const wantsRefresh = code.scopes.includes('refresh_token') || code.scopes.includes('offline_access');
      const rt = wantsRefresh ? tokens.issueRefreshToken(grant, org.now()) : undefined;
      return c.json(tokenResponse(org, grant, at, rt?.token, appConfig.clientSecret));
    }

    // refresh_token grant
    const rt = tokens.refreshTokens.get(form.refresh_token ?? '');
    const grant = rt ? tokens.grants.get(rt.grantId) : undefined;
    const org = grant ? state.org(grant.orgId) : undefined;
    if (!rt || !grant || !org || grant.clientId !== appConfig.clientId || grant.host !== host) {
      return oauthError(c, 'invalid_grant', 'authentication failure');
    }
    org.usage.recordTokenRequest(org.now());
    // A slow or hanging login host (fault): a client that gives up meanwhile gets nothing issued.
    if (!(await pause(org.faults.tokenLatencyMs, c.req.raw.signal))) return c.body(null, 503);
    if (tokens.refreshTokenState(rt) === 'rotated') {
      // Reuse of a rotated-out refresh token: Salesforce invalidates the whole grant, current token included.
      tokens.revokeGrant(grant);
      return oauthError(c, 'invalid_grant', 'expired access/refresh token');
    }
    if (tokens.refreshTokenState(rt) !== 'active') return oauthError(c, 'invalid_grant', 'expired access/refresh token');
    // Salesforce processes one refresh per refresh token at a time; the concurrent ones are refused.
    if (rt.inFlight) return oauthError(c, 'invalid_grant', 'expired authorization code');
    rt.inFlight = true;
    let body: ReturnType<typeof tokenResponse>;
    try {
      if (state.refreshProcessingMs > 0) await new Promise((r) => setTimeout(r, state.refreshProcessingMs));
      if (tokens.refreshTokenState(rt) !== 'active') return oauthError(c, 'invalid_grant', 'expired access/refresh token');
      const at = tokens.issueAccessToken(grant, org.now());
      const rotated = appConfig.rotateRefreshTokens ? tokens.issueRefreshToken(grant, org.now()) : undefined;
      body = tokenResponse(org, grant, at, rotated?.token, appConfig.clientSecret);
    } finally {
      rt.inFlight = false;
    }
    // Issued (and rotated) already; the answer travels slowly (fault): a client dying now loses it.
    await pause(org.faults.tokenResponseDelayMs, c.req.raw.signal);
    return c.json(body);
  });

  const revoke = async (c: Context) => {
    const form = c.req.method === 'POST' ? ((await c.req.parseBody()) as Record<string, string>) : {};
    const token = form.token ?? c.req.query('token') ?? '';
    const at = tokens.accessTokens.get(token);
    const rt = tokens.refreshTokens.get(token);
    if (at) at.revoked = true;
    else if (rt) {
      const grant = tokens.grants.get(rt.grantId);
      if (grant) tokens.revokeGrant(grant);
    } else return oauthError(c, 'unsupported_token_type', 'this token type is not supported');
    return c.body(null, 200);
  };
  app.post('/services/oauth2/revoke', revoke);
  app.get('/services/oauth2/revoke', revoke);

  /** Resolves the caller of an identity request; undefined when the token is not live. */
  function identityCaller(c: Context): { org: Org; user: UserAccount } | undefined {
    const at = tokens.accessTokens.get(bearerToken(c) ?? '');
    const org = at ? state.org(at.orgId) : undefined;
    if (!at || !org) return undefined;
    if (tokens.accessTokenState(at, org.now(), org.settings.sessionTimeoutSeconds * 1000) !== 'active') return undefined;
    const user = org.users.get(at.userId);
    return user ? { org, user } : undefined;
  }

  const identity = (c: Context) => {
    const caller = identityCaller(c);
    if (!caller) return c.text('Bad_OAuth_Token', 403);
    const org = state.org(c.req.param('orgId') ?? '');
    const user = org?.users.get(c.req.param('userId') ?? '');
    if (!org || !user || org.id !== caller.org.id) return c.text('Bad_Id', 404);
    return c.json(identityBody(state, org, user));
  };
  app.get('/id/:orgId/:userId', identity);
  app.post('/id/:orgId/:userId', identity);

  app.get('/services/oauth2/userinfo', (c) => {
    const caller = identityCaller(c);
    if (!caller) return c.text('Bad_OAuth_Token', 403);
    return c.json(userInfoBody(state, caller.org, caller.user));
  });

  return app;
}

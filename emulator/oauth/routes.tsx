/** @jsxImportSource hono/jsx */
// A Salesforce login host: the OAuth 2.0 web-server flow (authorize → login → consent → code),
// the token endpoint (authorization_code, refresh_token), revoke, and identity / userinfo.
import { Hono, type Context } from 'hono';
import type { EmulatorState, Environment, Org, UserAccount } from '../store.js';
import { ConsentPage, ErrorPage, LoginPage } from './pages.js';
import { identityBody, userInfoBody } from './identity.js';
import { oauthError, safeEqual } from './http.js';
import { tokenEndpoint } from './token-endpoint.js';

const LOGIN_ERROR = "Please check your username and password. If you still can't log in, contact your Salesforce administrator.";

const errorPage = (c: Context, error: string, description: string) =>
  c.html(<ErrorPage error={error} description={description} />, 400);

function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
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

  app.post('/services/oauth2/token', tokenEndpoint(state, host));

  /** An injected login-host fault on revoke: 503, or no answer until the fault is cleared (then 503 unprocessed). */
  const revokeFault = async (c: Context) => {
    const fault = state.loginHostFaults[host].revoke;
    if (fault === 'hang') {
      const until = Date.now() + 60_000;
      while (state.loginHostFaults[host].revoke === 'hang' && Date.now() < until && !c.req.raw.signal.aborted) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return fault ? c.text('Service Unavailable', 503) : undefined;
  };

  const revoke = async (c: Context) => {
    const unavailable = await revokeFault(c);
    if (unavailable) return unavailable;
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

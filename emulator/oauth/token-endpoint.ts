// The token endpoint of a login host: authorization_code and refresh_token grants, with Refresh
// Token Rotation, Salesforce's reuse rule and the token faults (latency, a slow answer).
import { createHash, createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { pause } from '../faults.js';
import type { EmulatorState, Environment, Org } from '../store.js';
import { oauthError, safeEqual } from './http.js';
import type { AccessToken, Grant } from './tokens.js';

const CODE_LIFETIME_MS = 15 * 60 * 1000;

const sha256Base64Url = (s: string) => createHash('sha256').update(s).digest('base64url');

// size: one handler walking both grants' checks in Salesforce's order, as the emulator README lists them
export function tokenEndpoint(state: EmulatorState, host: Environment) {
  const tokens = state.tokens;
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

  return async (c: Context) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    const grantType = form.grant_type;
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return oauthError(c, 'unsupported_grant_type', 'grant type not supported');
    }
    // Counted for the org whose code or refresh token is presented, refused requests included.
    const presented = grantType === 'authorization_code' ? tokens.codes.get(form.code ?? '')?.orgId : tokens.grantOf(form.refresh_token ?? '')?.orgId;
    const presentedOrg = presented ? state.org(presented) : undefined;
    presentedOrg?.usage.recordTokenRequest(presentedOrg.now());
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
  };
}

import { createHash, randomBytes } from 'node:crypto';
import jsforce from 'jsforce';
import type { Config } from '../../platform/config.js';
import type { TokenVault } from '../../platform/token-vault.js';
import type { Db } from '../../db/connect.js';
import type { Logger } from '../../platform/logger.js';
import { explainError, isExplainedCode } from '../../domain/error-explanations.js';
import { createPkcePair, loginUrlFor, OAUTH_SCOPES, oauthClient, oauthErrorCode } from '../../salesforce/oauth.js';
import { SALESFORCE_API_VERSION } from '../../salesforce/client.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import type { Environment } from '../../domain/environment.js';
import type { GrantedConnection } from '../../db/connections.js';
import { consumeOAuthState, deleteOAuthStatesExpiredBefore, insertOAuthState, type OAuthStateRow } from '../../db/oauth-states.js';
import { bindingMatches, newBrowserBinding, type BrowserBinding } from './browser-binding.js';

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

/**
 * Step 1: a PKCE authorize URL on the environment's login host, with a single-use state stored
 * server-side, and the browser binding the callback will require (the caller sets its cookie).
 */
export async function beginAuthorization(
  deps: { db: Db; vault: TokenVault; config: Config },
  accountId: string,
  environment: Environment,
): Promise<{ authorizeUrl: string; binding: BrowserBinding }> {
  const state = randomBytes(32).toString('base64url');
  const { verifier, challenge } = createPkcePair();
  const { binding, hash: bindingHash } = newBrowserBinding(state, deps.config.SALESFORCE_CALLBACK_URL, OAUTH_STATE_TTL_MS);
  const encrypted = deps.vault.encrypt(accountId, 'pkce_verifier', verifier);
  await insertOAuthState(deps.db, {
    stateHash: hashState(state),
    accountId,
    environment,
    verifier: encrypted,
    bindingHash,
    expiresAt: new Date(Date.now() + OAUTH_STATE_TTL_MS),
  });
  await deleteOAuthStatesExpiredBefore(deps.db, new Date(Date.now() - OAUTH_STATE_TTL_MS));
  const authorizeUrl = oauthClient(deps.config, loginUrlFor(deps.config, environment)).getAuthorizationUrl({
    scope: OAUTH_SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  } as Parameters<jsforce.OAuth2['getAuthorizationUrl']>[0]);
  return { authorizeUrl, binding };
}

export type { GrantedConnection };

export type CallbackOutcome =
  | { ok: true; grant: GrantedConnection }
  | { ok: false; code: string; message: string; fix: string; accountId?: string; environment?: Environment };

/** Where the browser lands after the callback: APP_URL with the outcome (never a token) in its query. */
export function landingUrl(appUrl: string, outcome: CallbackOutcome): string {
  const target = new URL(appUrl);
  const set = (name: string, value: string | undefined) => value && target.searchParams.set(name, value);
  if (outcome.ok) {
    set('salesforce', 'connected');
    set('environment', outcome.grant.environment);
    set('accountId', outcome.grant.accountId);
  } else {
    set('salesforce', 'error');
    set('code', outcome.code);
    set('message', outcome.message);
    set('fix', outcome.fix);
    set('environment', outcome.environment);
    set('accountId', outcome.accountId);
  }
  return target.toString();
}

/**
 * A failure the user sees on the app page: the explanation of one of our known codes. Anything else
 * (a code we have no words for) lands as the generic SALESFORCE_AUTHORIZATION_FAILED, so no free
 * text from Salesforce or from whoever crafted the callback URL ever reaches the landing page.
 */
export function failure(code: string, context: { accountId?: string; environment?: Environment } = {}): CallbackOutcome {
  const explanation = explainError(isExplainedCode(code) ? code : 'SALESFORCE_AUTHORIZATION_FAILED');
  return { ok: false, code: explanation.code, message: explanation.message, fix: explanation.fix, ...context };
}

/** The `error` values Salesforce documents for the authorize redirect that we explain in our own words. */
const CALLBACK_ERRORS: Record<string, string> = {
  access_denied: 'ACCESS_DENIED',
  'access-denied': 'ACCESS_DENIED', // the spelling in Salesforce's own web-server flow example
  redirect_uri_mismatch: 'INVALID_LOGIN',
  invalid_request: 'INVALID_LOGIN',
  invalid_client_id: 'INVALID_CLIENT',
  invalid_client: 'INVALID_CLIENT',
  server_error: 'TEMPORARILY_UNAVAILABLE',
  temporarily_unavailable: 'TEMPORARILY_UNAVAILABLE',
  rate_limit_exceeded: 'RATE_LIMITED',
};

function callbackErrorCode(error: string): string {
  return Object.hasOwn(CALLBACK_ERRORS, error) ? CALLBACK_ERRORS[error]! : 'SALESFORCE_AUTHORIZATION_FAILED';
}

type Deps = { db: Db; vault: TokenVault; config: Config; logger: Logger };
type Context = { accountId: string; environment: Environment };

/**
 * Step 2: validates and consumes the state (unknown, expired or replayed → no token exchange), checks
 * the browser binding cookie (missing or wrong → no token exchange), then exchanges the code with the
 * PKCE verifier and reads the identity. Nothing is stored here.
 */
export async function completeAuthorization(
  deps: Deps,
  query: { code?: string; state?: string; error?: string },
  presentedBinding: string | undefined,
): Promise<CallbackOutcome> {
  if (!query.state) return failure('INVALID_STATE');
  // Consume atomically: a replayed or concurrent callback finds nothing to update.
  const pending = await consumeOAuthState(deps.db, hashState(query.state), new Date());
  if (!pending) return failure('INVALID_STATE');
  const context = { accountId: pending.account_id, environment: pending.environment };
  if (!bindingMatches(presentedBinding, pending.binding_hash)) {
    deps.logger.warn({ ...context, bindingCookie: presentedBinding ? 'wrong' : 'missing' }, 'OAuth callback from a browser that did not start this connection; nothing connected');
    // No account or environment in the landing: this browser is not the one of the account's user.
    return failure('BROWSER_MISMATCH');
  }
  if (query.error) {
    deps.logger.info({ ...context, salesforceError: query.error.slice(0, 80) }, 'Salesforce redirected to the callback with an error');
    return failure(callbackErrorCode(query.error), context);
  }
  if (!query.code) return failure('INVALID_LOGIN', context);

  const token = await exchangeCode(deps, pending, query.code, context);
  if ('ok' in token) return token;
  return readIdentity(deps, token, context);
}

type GrantedToken = { access_token: string; refresh_token: string; instance_url: string; loginUrl: string };

async function exchangeCode(deps: Deps, pending: OAuthStateRow, code: string, context: Context): Promise<GrantedToken | CallbackOutcome> {
  const verifier = deps.vault.decrypt(pending.account_id, 'pkce_verifier', {
    ciphertext: pending.verifier_ciphertext,
    keyVersion: pending.verifier_key_version,
  });
  const loginUrl = loginUrlFor(deps.config, pending.environment);
  let token: { access_token: string; refresh_token?: string; instance_url: string };
  try {
    token = await oauthClient(deps.config, loginUrl).requestToken(code, { code_verifier: verifier } as Record<string, string>);
  } catch (error) {
    const oauthError = oauthErrorCode(error);
    deps.logger.warn({ ...context, oauthError: oauthError ?? 'network' }, 'Salesforce token exchange failed');
    return failure(oauthError === 'invalid_client' ? 'INVALID_CLIENT' : 'INVALID_LOGIN', context);
  }
  if (!token.refresh_token) {
    deps.logger.warn({ accountId: context.accountId }, 'Salesforce granted no refresh token (refresh_token scope missing from the Connected App?)');
    return failure('INVALID_LOGIN', context);
  }
  return { access_token: token.access_token, refresh_token: token.refresh_token, instance_url: token.instance_url, loginUrl };
}

async function readIdentity(deps: Deps, token: GrantedToken, context: Context): Promise<CallbackOutcome> {
  const conn = new jsforce.Connection({ instanceUrl: token.instance_url, accessToken: token.access_token, version: SALESFORCE_API_VERSION });
  let identity: Awaited<ReturnType<jsforce.Connection['identity']>>;
  try {
    identity = await conn.identity();
  } catch (error) {
    // E.g. API_DISABLED_FOR_ORG: the grant is useless to us, so give it back rather than keep it.
    const code = salesforceErrorCode(error) ?? 'INVALID_LOGIN';
    deps.logger.warn({ ...context, salesforceError: code }, 'Salesforce identity lookup failed after login');
    await oauthClient(deps.config, token.loginUrl).revokeToken(token.refresh_token).catch(() => undefined);
    return failure(code, context);
  }
  return {
    ok: true,
    grant: {
      ...context,
      orgId: identity.organization_id,
      userId: identity.user_id,
      username: identity.username,
      loginUrl: token.loginUrl,
      instanceUrl: token.instance_url,
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
    },
  };
}

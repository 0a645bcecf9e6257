import { createHash, randomBytes } from 'node:crypto';
import jsforce from 'jsforce';
import type { Config } from '../../platform/config.js';
import type { TokenVault } from '../../platform/token-vault.js';
import type { Db } from '../../db/connect.js';
import type { Logger } from '../../platform/logger.js';
import { explainError, normaliseErrorCode } from '../../domain/error-explanations.js';
import { createPkcePair, loginUrlFor, OAUTH_SCOPES, oauthClient, oauthErrorCode } from '../../salesforce/oauth.js';
import { SALESFORCE_API_VERSION } from '../../salesforce/client.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import type { Environment } from '../../domain/environment.js';
import type { GrantedConnection } from '../../db/connections.js';
import { consumeOAuthState, deleteOAuthStatesExpiredBefore, insertOAuthState } from '../../db/oauth-states.js';

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

/** Step 1: a PKCE authorize URL on the environment's login host, with a single-use state stored server-side. */
export async function beginAuthorization(
  deps: { db: Db; vault: TokenVault; config: Config },
  accountId: string,
  environment: Environment,
): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  const { verifier, challenge } = createPkcePair();
  const encrypted = deps.vault.encrypt(accountId, 'pkce_verifier', verifier);
  await insertOAuthState(deps.db, {
    stateHash: hashState(state),
    accountId,
    environment,
    verifier: encrypted,
    expiresAt: new Date(Date.now() + OAUTH_STATE_TTL_MS),
  });
  await deleteOAuthStatesExpiredBefore(deps.db, new Date(Date.now() - OAUTH_STATE_TTL_MS));
  return oauthClient(deps.config, loginUrlFor(deps.config, environment)).getAuthorizationUrl({
    scope: OAUTH_SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  } as Parameters<jsforce.OAuth2['getAuthorizationUrl']>[0]);
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

/** A failure the user sees on the app page: the seed's explanation for a normalised code. */
export function failure(code: string, context: { accountId?: string; environment?: Environment } = {}): CallbackOutcome {
  const explanation = explainError(code);
  return { ok: false, code: explanation.code, message: explanation.message, fix: explanation.fix, ...context };
}

/** OAuth `error` values Salesforce can send back to the callback, mapped to our codes. */
function callbackErrorCode(error: string): string {
  if (error === 'redirect_uri_mismatch' || error === 'invalid_request') return 'INVALID_LOGIN';
  return normaliseErrorCode(error);
}

/**
 * Step 2: validates and consumes the state (unknown, expired or replayed → no token exchange),
 * exchanges the code with the PKCE verifier and reads the identity. Nothing is stored here.
 */
export async function completeAuthorization(
  deps: { db: Db; vault: TokenVault; config: Config; logger: Logger },
  query: { code?: string; state?: string; error?: string },
): Promise<CallbackOutcome> {
  if (!query.state) return failure('INVALID_STATE');
  // Consume atomically: a replayed or concurrent callback finds nothing to update.
  const pending = await consumeOAuthState(deps.db, hashState(query.state), new Date());
  if (!pending) return failure('INVALID_STATE');
  const context = { accountId: pending.account_id, environment: pending.environment };
  if (query.error) return failure(callbackErrorCode(query.error), context);
  if (!query.code) return failure('INVALID_LOGIN', context);

  const verifier = deps.vault.decrypt(pending.account_id, 'pkce_verifier', {
    ciphertext: pending.verifier_ciphertext,
    keyVersion: pending.verifier_key_version,
  });
  const loginUrl = loginUrlFor(deps.config, pending.environment);
  let token: { access_token: string; refresh_token?: string; instance_url: string };
  try {
    token = await oauthClient(deps.config, loginUrl).requestToken(query.code, { code_verifier: verifier } as Record<string, string>);
  } catch (error) {
    const code = oauthErrorCode(error);
    deps.logger.warn({ accountId: pending.account_id, environment: pending.environment, oauthError: code ?? 'network' }, 'Salesforce token exchange failed');
    return failure(code === 'invalid_client' ? 'INVALID_CLIENT' : 'INVALID_LOGIN', context);
  }
  if (!token.refresh_token) {
    deps.logger.warn({ accountId: pending.account_id }, 'Salesforce granted no refresh token (refresh_token scope missing from the Connected App?)');
    return failure('INVALID_LOGIN', context);
  }
  const conn = new jsforce.Connection({ instanceUrl: token.instance_url, accessToken: token.access_token, version: SALESFORCE_API_VERSION });
  let identity: Awaited<ReturnType<jsforce.Connection['identity']>>;
  try {
    identity = await conn.identity();
  } catch (error) {
    // E.g. API_DISABLED_FOR_ORG: the grant is useless to us, so give it back rather than keep it.
    const code = salesforceErrorCode(error) ?? 'INVALID_LOGIN';
    deps.logger.warn({ accountId: pending.account_id, environment: pending.environment, salesforceError: code }, 'Salesforce identity lookup failed after login');
    await oauthClient(deps.config, loginUrl).revokeToken(token.refresh_token).catch(() => undefined);
    return failure(code, context);
  }
  return {
    ok: true,
    grant: {
      ...context,
      orgId: identity.organization_id,
      userId: identity.user_id,
      username: identity.username,
      loginUrl,
      instanceUrl: token.instance_url,
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
    },
  };
}

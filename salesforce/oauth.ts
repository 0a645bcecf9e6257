import { createHash, randomBytes } from 'node:crypto';
import jsforce from 'jsforce';
import type { Environment } from '../domain/environment.js';
import { useSalesforceHttpTimeout } from './http-timeout.js';

export interface SalesforceAppConfig {
  SALESFORCE_CLIENT_ID: string;
  SALESFORCE_CLIENT_SECRET: string;
  SALESFORCE_CALLBACK_URL: string;
  SALESFORCE_LOGIN_URL_PRODUCTION: string;
  SALESFORCE_LOGIN_URL_SANDBOX: string;
  /** Longest wait for one Salesforce HTTP call, in ms. */
  SALESFORCE_HTTP_TIMEOUT: number;
}

export const OAUTH_SCOPES = 'api refresh_token offline_access id profile';

export function loginUrlFor(config: SalesforceAppConfig, environment: Environment): string {
  return environment === 'sandbox' ? config.SALESFORCE_LOGIN_URL_SANDBOX : config.SALESFORCE_LOGIN_URL_PRODUCTION;
}

/** jsforce's OAuth2 client for one login host (production, sandbox, or a My Domain). */
export function oauthClient(config: SalesforceAppConfig, loginUrl: string): jsforce.OAuth2 {
  useSalesforceHttpTimeout(config.SALESFORCE_HTTP_TIMEOUT);
  return new jsforce.OAuth2({
    loginUrl,
    clientId: config.SALESFORCE_CLIENT_ID,
    clientSecret: config.SALESFORCE_CLIENT_SECRET,
    redirectUri: config.SALESFORCE_CALLBACK_URL,
  });
}

/** PKCE (RFC 7636, S256): we keep the verifier ourselves so it survives across API processes. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(64).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/** jsforce throws OAuth errors as Error with `name` = the OAuth error code. */
export function oauthErrorCode(error: unknown): string | undefined {
  if (error instanceof Error && /^[a-z_]+$/.test(error.name) && error.name !== 'error') return error.name;
  return undefined;
}

/** The revoke request failed in a way worth retrying; `reason` carries no secret (an error code or "timeout"). */
export class RevokeFailedError extends Error {
  override name = 'RevokeFailedError';
  constructor(readonly reason: string) {
    super(`Salesforce token revocation failed: ${reason}`);
  }
}

/** What Salesforce answers for a token it no longer knows (already revoked, expired or rotated out). */
const ALREADY_INVALID = new Set(['invalid_token', 'unsupported_token_type', 'invalid_grant']);

/**
 * Revokes a refresh token (and every access token of its grant) at the login host it came from.
 * 'already_invalid': Salesforce says the token is no longer valid, so there is nothing left to revoke.
 * Throws RevokeFailedError when the host is unreachable, slow past `timeoutMs`, or answers otherwise.
 */
export async function revokeRefreshToken(
  loginUrl: string,
  refreshToken: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<'revoked' | 'already_invalid'> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(new URL('/services/oauth2/revoke', loginUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken }).toString(),
      signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
    });
  } catch {
    throw new RevokeFailedError(timeout.aborted ? 'timeout' : 'network');
  }
  const body = await response.text().catch(() => '');
  if (response.ok) return 'revoked';
  const code = revokeErrorCode(body);
  if (response.status === 400 && code && ALREADY_INVALID.has(code)) return 'already_invalid';
  throw new RevokeFailedError(code ?? `HTTP_${response.status}`);
}

/** The OAuth `error` of a revoke answer (JSON or form-encoded), when it looks like one. */
function revokeErrorCode(body: string): string | undefined {
  let error: unknown;
  try {
    error = (JSON.parse(body) as { error?: unknown }).error;
  } catch {
    error = new URLSearchParams(body).get('error');
  }
  return typeof error === 'string' && /^[a-z_]{1,64}$/.test(error) ? error : undefined;
}

/** What a refresh answered: new tokens, or Salesforce's refusal (an OAuth error code; nothing was issued). */
export type RefreshAnswer =
  | { refused?: undefined; accessToken: string; refreshToken: string | undefined; instanceUrl: string | undefined }
  | { refused: { error: string; description: string } };

/** The login host gave no usable answer (timeout, network, 5xx): whether it issued tokens is unknown. */
export class TokenEndpointUnavailableError extends Error {
  override name = 'TokenEndpointUnavailableError';
  readonly errorCode = 'LOGIN_HOST_UNAVAILABLE';
}

/**
 * One refresh_token grant request, bounded by SALESFORCE_HTTP_TIMEOUT (our own fetch: jsforce's
 * OAuth2 takes no per-call timeout nor lets us tell "refused" from "no answer"). Never echoes a token.
 */
export async function requestTokenRefresh(config: SalesforceAppConfig, loginUrl: string, refreshToken: string): Promise<RefreshAnswer> {
  useSalesforceHttpTimeout(config.SALESFORCE_HTTP_TIMEOUT);
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: config.SALESFORCE_CLIENT_ID,
    client_secret: config.SALESFORCE_CLIENT_SECRET,
  });
  let response: Response;
  let text: string;
  try {
    response = await fetch(new URL('/services/oauth2/token', loginUrl), { method: 'POST', body, signal: AbortSignal.timeout(config.SALESFORCE_HTTP_TIMEOUT) });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new TokenEndpointUnavailableError(timedOut ? `Salesforce token endpoint did not answer within ${config.SALESFORCE_HTTP_TIMEOUT} ms` : 'Salesforce token endpoint unreachable');
  }
  const parsed = parseJson(text);
  if (response.ok && typeof parsed?.access_token === 'string') {
    return { accessToken: parsed.access_token, refreshToken: stringOrUndefined(parsed.refresh_token), instanceUrl: stringOrUndefined(parsed.instance_url) };
  }
  if (response.status < 500 && typeof parsed?.error === 'string') {
    return { refused: { error: parsed.error, description: (stringOrUndefined(parsed.error_description) ?? '').slice(0, 200) } };
  }
  throw new TokenEndpointUnavailableError(`Salesforce token endpoint answered HTTP ${response.status}`);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const stringOrUndefined = (value: unknown) => (typeof value === 'string' ? value : undefined);

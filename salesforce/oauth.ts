import { createHash, randomBytes } from 'node:crypto';
import jsforce from 'jsforce';
import type { Environment } from '../domain/environment.js';

export interface SalesforceAppConfig {
  SALESFORCE_CLIENT_ID: string;
  SALESFORCE_CLIENT_SECRET: string;
  SALESFORCE_CALLBACK_URL: string;
  SALESFORCE_LOGIN_URL_PRODUCTION: string;
  SALESFORCE_LOGIN_URL_SANDBOX: string;
}

export const OAUTH_SCOPES = 'api refresh_token offline_access id profile';

export function loginUrlFor(config: SalesforceAppConfig, environment: Environment): string {
  return environment === 'sandbox' ? config.SALESFORCE_LOGIN_URL_SANDBOX : config.SALESFORCE_LOGIN_URL_PRODUCTION;
}

/** jsforce's OAuth2 client for one login host (production, sandbox, or a My Domain). */
export function oauthClient(config: SalesforceAppConfig, loginUrl: string): jsforce.OAuth2 {
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

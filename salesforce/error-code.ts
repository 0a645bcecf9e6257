import { ConnectionRevokedError } from './token-manager.js';

/**
 * The Salesforce error code on an error, if any: a revocation's code, the `errorCode` of a jsforce REST
 * error or of our own typed errors (a refused refresh: INVALID_CLIENT…, no answer: LOGIN_HOST_UNAVAILABLE).
 */
export function salesforceErrorCode(error: unknown): string | undefined {
  if (error instanceof ConnectionRevokedError) return error.code;
  if (!(error instanceof Error)) return undefined;
  const withCode = error as Error & { errorCode?: unknown };
  if (typeof withCode.errorCode === 'string') return withCode.errorCode;
  if (/^[A-Z_]+$/.test(error.name)) return error.name;
  return undefined;
}

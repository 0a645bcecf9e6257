import { ConnectionRevokedError } from './token-manager.js';

/** The Salesforce error code on a jsforce error (REST `errorCode`, OAuth `error`), if any. */
export function salesforceErrorCode(error: unknown): string | undefined {
  if (error instanceof ConnectionRevokedError) return 'INVALID_GRANT';
  if (!(error instanceof Error)) return undefined;
  const withCode = error as Error & { errorCode?: unknown };
  if (typeof withCode.errorCode === 'string') return withCode.errorCode;
  if (/^[A-Z_]+$/.test(error.name)) return error.name;
  return undefined;
}

import jsforce from 'jsforce';
import type { TokenManager } from './token-manager.js';

export const SALESFORCE_API_VERSION = '62.0';

/**
 * Runs `work` with a jsforce Connection for one stored Salesforce connection. On 401
 * INVALID_SESSION_ID jsforce calls our refreshFn (single-flight across processes via the
 * TokenManager) and retries; we allow one refresh per call so a bad token can't loop. Every request
 * is bounded by SALESFORCE_HTTP_TIMEOUT (set on jsforce by the TokenManager).
 */
export async function withSalesforce<T>(
  tokens: TokenManager,
  connectionId: string,
  work: (conn: jsforce.Connection) => Promise<T>,
): Promise<T> {
  const grant = await tokens.current(connectionId);
  let generation = grant.generation;
  let refreshed = false;
  let refreshFailure: Error | undefined;
  const conn = new jsforce.Connection({
    instanceUrl: grant.instanceUrl,
    accessToken: grant.accessToken,
    version: SALESFORCE_API_VERSION,
    refreshFn: (_conn, callback) => {
      if (refreshed) {
        callback(new Error('Salesforce rejected a freshly refreshed session'));
        return;
      }
      refreshed = true;
      tokens.refresh(connectionId, generation).then(
        (fresh) => {
          generation = fresh.generation;
          callback(null, fresh.accessToken);
        },
        (error: unknown) => {
          refreshFailure = error instanceof Error ? error : new Error(String(error));
          callback(refreshFailure);
        },
      );
    },
  });
  try {
    return await work(conn);
  } catch (error) {
    // jsforce wraps refresh failures in a plain Error; surface the typed one (revoked, refused, no answer).
    throw refreshFailure ?? error;
  }
}

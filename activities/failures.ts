import { ApplicationFailure } from '@temporalio/common';
import { normaliseErrorCode } from '../domain/error-explanations.js';
import { salesforceErrorCode } from '../salesforce/error-code.js';
import { TokenRefreshRefusedError } from '../salesforce/token-manager.js';

// The one bridge from Salesforce errors to Temporal failures.

/** Codes the workflow must decide about (backoff, error phase, disconnect) instead of blind activity retries. */
const WORKFLOW_DECIDES = new Set(['REQUEST_LIMIT_EXCEEDED', 'CONCURRENT_REQUEST_LIMIT', 'API_DISABLED_FOR_ORG', 'INSUFFICIENT_ACCESS', 'INVALID_GRANT', 'REFRESH_TOKEN_LOST']);

/**
 * REQUEST_LIMIT_EXCEEDED has two causes: the daily quota ("TotalRequests Limit exceeded.") and too many
 * long-running requests in the org at once ("ConcurrentPerOrgLongTxn Limit exceeded."). The second
 * clears in seconds, so it gets its own code: a short backoff, and no word about the daily quota.
 */
function limitKind(code: string, message: string): string {
  return code === 'REQUEST_LIMIT_EXCEEDED' && /Concurrent/i.test(message) ? 'CONCURRENT_REQUEST_LIMIT' : code;
}

/**
 * Turns a Salesforce failure into a Temporal failure typed by its (normalised) error code, so
 * workflows branch on `failure.cause.type`. Messages are Salesforce's own: they carry no token.
 * A refused token refresh (INVALID_CLIENT, UNAUTHORIZED_CLIENT, INACTIVE_USER…) is never retried by
 * the activity: the same request gets the same answer until someone fixes it, so the workflow waits.
 */
export function toActivityFailure(error: unknown): unknown {
  const raw = salesforceErrorCode(error);
  if (!raw) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = limitKind(normaliseErrorCode(raw), message);
  if (WORKFLOW_DECIDES.has(code) || error instanceof TokenRefreshRefusedError) return ApplicationFailure.nonRetryable(message, code);
  return ApplicationFailure.retryable(message, code);
}

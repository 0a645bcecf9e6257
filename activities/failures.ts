import { ApplicationFailure } from '@temporalio/common';
import { normaliseErrorCode } from '../domain/error-explanations.js';
import { salesforceErrorCode } from '../salesforce/error-code.js';
import { TokenRefreshRefusedError } from '../salesforce/token-manager.js';

// The one bridge from Salesforce errors to Temporal failures.

/** Codes the workflow must decide about (backoff, error phase, disconnect) instead of blind activity retries. */
const WORKFLOW_DECIDES = new Set(['REQUEST_LIMIT_EXCEEDED', 'API_DISABLED_FOR_ORG', 'INSUFFICIENT_ACCESS', 'INVALID_GRANT', 'REFRESH_TOKEN_LOST']);

/**
 * Turns a Salesforce failure into a Temporal failure typed by its (normalised) error code, so
 * workflows branch on `failure.cause.type`. Messages are Salesforce's own: they carry no token.
 * A refused token refresh (INVALID_CLIENT, UNAUTHORIZED_CLIENT, INACTIVE_USER…) is never retried by
 * the activity: the same request gets the same answer until someone fixes it, so the workflow waits.
 */
export function toActivityFailure(error: unknown): unknown {
  const raw = salesforceErrorCode(error);
  if (!raw) return error;
  const code = normaliseErrorCode(raw);
  const message = error instanceof Error ? error.message : String(error);
  if (WORKFLOW_DECIDES.has(code) || error instanceof TokenRefreshRefusedError) return ApplicationFailure.nonRetryable(message, code);
  return ApplicationFailure.retryable(message, code);
}

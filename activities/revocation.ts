import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { attemptRevocation } from '../salesforce/revocation.js';
import type { ActivityDependencies } from './dependencies.js';

export interface RevocationResult {
  outcome: 'revoked' | 'already_invalid' | 'missing';
}

export function createRevocationActivities({ db, vault, logger }: ActivityDependencies) {
  return {
    /**
     * Revokes one pending grant (by row id: the token never enters Temporal). A failure is retried by
     * Temporal with backoff until Salesforce answers; Salesforce saying the token is already invalid
     * counts as done.
     */
    async revokePendingGrant({ revocationId }: { revocationId: string }): Promise<RevocationResult> {
      const attempt = await attemptRevocation(db, vault, revocationId, { signal: Context.current().cancellationSignal });
      if (attempt.state === 'failed') {
        logger.warn({ revocationId, reason: attempt.reason }, 'Salesforce grant revocation failed; retrying');
        throw ApplicationFailure.retryable(`Salesforce did not revoke the grant: ${attempt.reason}`, 'REVOCATION_FAILED');
      }
      if (attempt.state === 'missing') return { outcome: 'missing' };
      logger.info({ revocationId, outcome: attempt.outcome }, 'Salesforce grant revoked');
      return { outcome: attempt.outcome };
    },
  };
}

import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RevocationResult } from '../activities/revocation.js';

export interface RevokeGrantInput {
  /** The salesforce_pending_revocations row; the token itself never enters Temporal. */
  revocationId: string;
}

// Retries until Salesforce answers: a grant FastFollow let go of must not stay live. Backoff from
// one second up to ten minutes between attempts, with no attempt limit.
const { revokePendingGrant } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10 minutes' },
  summary: 'Revoke a Salesforce grant FastFollow let go of (disconnect, reconnect or failed activation)',
});

/** Revokes one released grant at Salesforce, durably: survives Salesforce, worker and API outages. */
export async function revokeGrantWorkflow({ revocationId }: RevokeGrantInput): Promise<RevocationResult> {
  return revokePendingGrant({ revocationId });
}

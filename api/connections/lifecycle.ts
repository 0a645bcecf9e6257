import type { Config } from '../../platform/config.js';
import type { TokenVault } from '../../platform/token-vault.js';
import type { Db } from '../../db/connect.js';
import type { Logger } from '../../platform/logger.js';
import { revokeRefreshToken } from '../../salesforce/oauth.js';
import { attemptRevocation } from '../../salesforce/revocation.js';
import { newConnectionStatus, type ConnectionStatus, type RevocationStatus } from '../../domain/connection-status.js';
import type { Environment } from '../../domain/environment.js';
import type { GrantedConnection } from './oauth-flow.js';
import { endConnection, findConnection, saveGrant } from '../../db/connections.js';
import { latestRevocation, openRevocationIds } from '../../db/revocations.js';
import { startOrSignalConnection, startRevocationWorkflow, stopConnectionWorkflow, workflowStatus, type TemporalClient } from '../temporal.js';

const DISCONNECT_WAIT_MS = 10_000;
const STATUS_QUERY_TIMEOUT_MS = 5_000;
/** The API's one inline revoke attempt (the fast path); the revocation workflow does the retrying. */
const INLINE_REVOKE_TIMEOUT_MS = 5_000;
const ACTIVATION_FAILED_REASON = 'Connecting did not finish: the sync service was unavailable. Connect again.';

export interface LifecycleDeps {
  db: Db;
  vault: TokenVault;
  config: Config;
  temporal: TemporalClient;
  logger: Logger;
}

/**
 * Stores the grant and makes sure the connection's workflow runs: started on first connect,
 * signalled on reconnect so it keeps its sync state. The grant it replaces is revoked at Salesforce.
 * When no workflow can take the new grant (Temporal down), the grant is revoked too, so no live grant
 * is left behind, and the error is rethrown for the callback to report.
 */
export async function activateConnection(deps: LifecycleDeps, grant: GrantedConnection): Promise<void> {
  const saved = await saveGrant(deps.db, deps.vault, grant).catch(async (error: unknown) => {
    // Not stored anywhere: revoke it straight away (best effort; the error is what the callback reports).
    await revokeRefreshToken(grant.loginUrl, grant.refreshToken, { timeoutMs: INLINE_REVOKE_TIMEOUT_MS }).catch(() => undefined);
    throw error;
  });
  try {
    await startOrSignalConnection(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
      connectionId: saved.id,
      accountId: grant.accountId,
      environment: grant.environment,
      orgId: grant.orgId,
      connectedAt: saved.connectedAt.toISOString(),
    });
  } catch (error) {
    const ended = await endConnection(deps.db, saved.id, 'disconnected', ACTIVATION_FAILED_REASON, 'activation_failed');
    await Promise.all([ended?.revocationId, saved.replacedGrantRevocationId].map((id) => id && revokeNowOrLater(deps, id)));
    throw error;
  }
  if (saved.replacedGrantRevocationId) await revokeNowOrLater(deps, saved.replacedGrantRevocationId);
  await sweepPendingRevocations(deps);
  deps.logger.info({ accountId: grant.accountId, environment: grant.environment, orgId: grant.orgId }, 'Salesforce connected');
}

/**
 * Disconnect from FastFollow's side. In one transaction the connection ends, its tokens are erased and
 * its refresh token moves (still encrypted) to a pending revocation; then one inline revoke attempt
 * runs while the workflow stops (its in-flight activities are cancelled). A revoke that fails is
 * retried by the revocation workflow until Salesforce confirms; the status shows it pending meanwhile.
 * Idempotent: a second call finds nothing left to do and succeeds.
 */
export async function disconnectConnection(deps: LifecycleDeps, accountId: string, environment: Environment): Promise<void> {
  const row = await findConnection(deps.db, accountId, environment);
  const ended = row ? await endConnection(deps.db, row.id, 'disconnected', 'Disconnected from FastFollow', 'disconnect') : undefined;
  const revocationId = ended?.revocationId;
  const [, stopped] = await Promise.allSettled([
    revocationId ? revokeNowOrLater(deps, revocationId) : undefined,
    // Returns once the workflow ended (its activities confirmed they stopped) or after the wait.
    stopConnectionWorkflow(deps.temporal, accountId, environment, 'Disconnected from FastFollow', DISCONNECT_WAIT_MS),
  ]);
  // Temporal unreachable: the connection has ended and its revocation is queued; a repeated DELETE stops the workflow.
  if (stopped.status === 'rejected') throw stopped.reason;
  await sweepPendingRevocations(deps);
  deps.logger.info({ accountId, environment }, 'Salesforce disconnected');
}

/**
 * One inline revoke attempt; when it fails, the revocation workflow takes over. When Temporal is down
 * too, the row stays pending and the next sweep (any connect, disconnect or status read of it) starts it.
 */
async function revokeNowOrLater(deps: LifecycleDeps, revocationId: string): Promise<void> {
  const attempt = await attemptRevocation(deps.db, deps.vault, revocationId, { timeoutMs: INLINE_REVOKE_TIMEOUT_MS }).catch((error: unknown) => ({
    state: 'failed' as const,
    reason: error instanceof Error ? error.name : 'error',
  }));
  if (attempt.state !== 'failed') return;
  deps.logger.warn({ revocationId, reason: attempt.reason }, 'Salesforce did not revoke the grant; the revocation workflow retries');
  await ensureRevocationWorkflow(deps, revocationId);
}

async function ensureRevocationWorkflow(deps: LifecycleDeps, revocationId: string): Promise<void> {
  try {
    await startRevocationWorkflow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, revocationId);
  } catch (error) {
    deps.logger.warn({ revocationId, err: { name: (error as Error).name } }, 'could not start the revocation workflow; the revocation stays pending for the next sweep');
  }
}

/** Every pending revocation gets its workflow (idempotent): picks up rows queued while Temporal was down. */
async function sweepPendingRevocations(deps: LifecycleDeps): Promise<void> {
  const ids = await openRevocationIds(deps.db).catch(() => []);
  for (const id of ids) await ensureRevocationWorkflow(deps, id);
}

/**
 * The connection's status: live from the running workflow, else its final status, else the stored
 * row. When no worker answers the query (all down), the phase comes from the workflow's SyncPhaseKey
 * search attribute, so the app still gets an answer in seconds. Once ended from FastFollow's side,
 * `revocation` tells whether Salesforce has revoked the grant yet.
 */
export async function connectionStatus(deps: LifecycleDeps, accountId: string, environment: Environment): Promise<ConnectionStatus | null> {
  const status = await workflowOrStoredStatus(deps, accountId, environment);
  if (!status) return null;
  return { ...status, revocation: await revocationStatus(deps, accountId, environment) };
}

async function workflowOrStoredStatus(deps: LifecycleDeps, accountId: string, environment: Environment): Promise<ConnectionStatus | null> {
  const { status, unansweredPhase } = await workflowStatus(deps.temporal, accountId, environment, STATUS_QUERY_TIMEOUT_MS);
  if (status) return status;
  if (unansweredPhase) deps.logger.warn({ accountId, environment }, 'connection workflow did not answer the status query; answering from stored state');
  const row = await findConnection(deps.db, accountId, environment);
  if (!row) return null;
  return newConnectionStatus({
    accountId,
    environment,
    orgId: row.org_id,
    connectedAt: row.connected_at.toISOString(),
    phase: unansweredPhase ?? (row.status === 'active' ? 'initial_sync' : 'disconnected'),
    endedReason: row.status === 'active' ? null : row.status_reason,
  });
}

/** The revocation the connection's end queued (null while active, or when Salesforce ended it). */
async function revocationStatus(deps: LifecycleDeps, accountId: string, environment: Environment): Promise<RevocationStatus | null> {
  const row = await findConnection(deps.db, accountId, environment);
  if (!row || row.status === 'active') return null;
  const revocation = await latestRevocation(deps.db, accountId, environment, row.connected_at, ['disconnect', 'activation_failed']);
  if (!revocation) return null;
  // Queued while Temporal was down: make sure a workflow is on it now.
  if (!revocation.done_at) await ensureRevocationWorkflow(deps, revocation.id);
  return {
    state: revocation.done_at ? 'done' : 'pending',
    attempts: revocation.attempts,
    lastError: revocation.done_at ? null : revocation.last_error,
    doneAt: revocation.done_at?.toISOString() ?? null,
  };
}

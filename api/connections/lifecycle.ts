import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../platform/config.js';
import type { TokenVault } from '../../platform/token-vault.js';
import type { Db } from '../../db/connect.js';
import type { Logger } from '../../platform/logger.js';
import { oauthClient, oauthErrorCode } from '../../salesforce/oauth.js';
import { FastFollowAccountIdKey, SalesforceEnvironmentKey, SalesforceOrgIdKey, SyncPhaseKey } from '../../workflows/search-attributes.js';
import { disconnectSignal, reconnectedSignal, statusQuery } from '../../workflows/connection-contract.js';
import { connectionWorkflowId, newConnectionStatus, type ConnectionStatus, type SyncPhase } from '../../domain/connection-status.js';
import type { Environment } from '../../domain/environment.js';
import type { connectionWorkflow } from '../../workflows/connection.js';
import type { GrantedConnection } from './oauth-flow.js';
import { endConnection, findConnection, saveGrant } from '../../db/connections.js';

const DISCONNECT_WAIT_MS = 10_000;
const STATUS_QUERY_TIMEOUT_MS = 5_000;

export interface LifecycleDeps {
  db: Db;
  vault: TokenVault;
  config: Config;
  temporal: Client;
  logger: Logger;
}

/**
 * Stores the grant and makes sure the connection's workflow runs: started on first connect,
 * signalled on reconnect so it keeps its sync state.
 */
export async function activateConnection(deps: LifecycleDeps, grant: GrantedConnection): Promise<void> {
  const saved = await saveGrant(deps.db, deps.vault, grant);
  const connectedAt = saved.connectedAt.toISOString();
  await deps.temporal.workflow.signalWithStart<typeof connectionWorkflow, [{ orgId: string; connectedAt: string }]>('connectionWorkflow', {
    workflowId: connectionWorkflowId(grant.accountId, grant.environment),
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    args: [
      {
        connectionId: saved.id,
        accountId: grant.accountId,
        environment: grant.environment,
        orgId: grant.orgId,
        connectedAt,
        pollIntervalMs: deps.config.SYNC_POLL_INTERVAL,
        lookbackMs: deps.config.SYNC_LOOKBACK,
        safetyLagMs: deps.config.SYNC_SAFETY_LAG,
      },
    ],
    signal: reconnectedSignal,
    signalArgs: [{ orgId: grant.orgId, connectedAt }],
    typedSearchAttributes: [
      { key: FastFollowAccountIdKey, value: grant.accountId },
      { key: SalesforceEnvironmentKey, value: grant.environment },
      { key: SalesforceOrgIdKey, value: grant.orgId },
      { key: SyncPhaseKey, value: 'initial_sync' },
    ],
  });
  deps.logger.info({ accountId: grant.accountId, environment: grant.environment, orgId: grant.orgId }, 'Salesforce connected');
}

/**
 * Disconnect from FastFollow's side: erase the tokens, revoke the grant at Salesforce, stop the
 * workflow. Idempotent: a second call finds nothing left to do and succeeds.
 */
export async function disconnectConnection(deps: LifecycleDeps, accountId: string, environment: Environment): Promise<void> {
  const row = await findConnection(deps.db, accountId, environment);
  if (row) {
    const ended = await endConnection(deps.db, deps.vault, row.id, 'disconnected', 'Disconnected from FastFollow');
    if (ended?.refreshToken) {
      try {
        // Revoking the refresh token also kills its access tokens at Salesforce.
        await oauthClient(deps.config, ended.loginUrl).revokeToken(ended.refreshToken);
      } catch (error) {
        deps.logger.warn({ accountId, environment, oauthError: oauthErrorCode(error) ?? 'network' }, 'Salesforce token revocation failed; tokens erased locally');
      }
    }
  }
  const handle = deps.temporal.workflow.getHandle(connectionWorkflowId(accountId, environment));
  try {
    await handle.signal(disconnectSignal, { reason: 'Disconnected from FastFollow' });
    // Usually ends within a moment; a page in flight finishes first. Don't hold the caller longer:
    // the tokens are already gone, so the workflow can make no further call.
    await Promise.race([handle.result(), new Promise((resolve) => setTimeout(resolve, DISCONNECT_WAIT_MS).unref())]);
  } catch (error) {
    // Not running (never connected, or already ended): nothing to stop.
    if (!(error instanceof WorkflowNotFoundError) && !isClosedWorkflowError(error)) throw error;
  }
  deps.logger.info({ accountId, environment }, 'Salesforce disconnected');
}

function isClosedWorkflowError(error: unknown): boolean {
  return error instanceof Error && /workflow execution already completed/i.test(error.message);
}

/**
 * The connection's status: live from the running workflow, else its final status, else the stored
 * row. When no worker answers the query (all down), the phase comes from the workflow's SyncPhaseKey
 * search attribute, so the app still gets an answer in seconds.
 */
export async function connectionStatus(deps: LifecycleDeps, accountId: string, environment: Environment): Promise<ConnectionStatus | null> {
  const handle = deps.temporal.workflow.getHandle<typeof connectionWorkflow>(connectionWorkflowId(accountId, environment));
  let indexedPhase: SyncPhase | undefined;
  try {
    const description = await handle.describe();
    if (description.status.name === 'RUNNING') {
      indexedPhase = description.typedSearchAttributes.get(SyncPhaseKey) as SyncPhase | undefined;
      return await deps.temporal.connection.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () => handle.query(statusQuery));
    }
    if (description.status.name === 'COMPLETED') return await handle.result();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError) && indexedPhase === undefined) throw error;
    if (indexedPhase !== undefined) deps.logger.warn({ accountId, environment }, 'connection workflow did not answer the status query; answering from stored state');
  }
  const row = await findConnection(deps.db, accountId, environment);
  if (!row) return null;
  return newConnectionStatus({
    accountId,
    environment,
    orgId: row.org_id,
    connectedAt: row.connected_at.toISOString(),
    phase: indexedPhase ?? (row.status === 'active' ? 'initial_sync' : 'disconnected'),
    endedReason: row.status === 'active' ? null : row.status_reason,
  });
}

import type { Config } from '../../platform/config.js';
import type { TokenVault } from '../../platform/token-vault.js';
import type { Db } from '../../db/connect.js';
import type { Logger } from '../../platform/logger.js';
import { oauthClient, oauthErrorCode } from '../../salesforce/oauth.js';
import { newConnectionStatus, type ConnectionStatus } from '../../domain/connection-status.js';
import type { Environment } from '../../domain/environment.js';
import type { GrantedConnection } from './oauth-flow.js';
import { endConnection, findConnection, saveGrant } from '../../db/connections.js';
import { startOrSignalConnection, stopConnectionWorkflow, workflowStatus, type TemporalClient } from '../temporal.js';

const DISCONNECT_WAIT_MS = 10_000;
const STATUS_QUERY_TIMEOUT_MS = 5_000;

export interface LifecycleDeps {
  db: Db;
  vault: TokenVault;
  config: Config;
  temporal: TemporalClient;
  logger: Logger;
}

/**
 * Stores the grant and makes sure the connection's workflow runs: started on first connect,
 * signalled on reconnect so it keeps its sync state.
 */
export async function activateConnection(deps: LifecycleDeps, grant: GrantedConnection): Promise<void> {
  const saved = await saveGrant(deps.db, deps.vault, grant);
  await startOrSignalConnection(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
    connectionId: saved.id,
    accountId: grant.accountId,
    environment: grant.environment,
    orgId: grant.orgId,
    connectedAt: saved.connectedAt.toISOString(),
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
  // Usually ends within a moment; don't hold the caller longer: the tokens are already gone,
  // so the workflow can make no further call.
  await stopConnectionWorkflow(deps.temporal, accountId, environment, 'Disconnected from FastFollow', DISCONNECT_WAIT_MS);
  deps.logger.info({ accountId, environment }, 'Salesforce disconnected');
}

/**
 * The connection's status: live from the running workflow, else its final status, else the stored
 * row. When no worker answers the query (all down), the phase comes from the workflow's SyncPhaseKey
 * search attribute, so the app still gets an answer in seconds.
 */
export async function connectionStatus(deps: LifecycleDeps, accountId: string, environment: Environment): Promise<ConnectionStatus | null> {
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

import {
  Client,
  Connection,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { Config } from '../platform/config.js';
import { temporalConnectionOptions } from '../platform/temporal-connection.js';
import type { TemporalConnectionSettings } from '../platform/temporal-settings.js';
import { connectionWorkflowId, revocationWorkflowId, type ConnectionStatus, type SyncPhase } from '../domain/connection-status.js';
import type { Environment } from '../domain/environment.js';
import {
  disconnectSignal,
  followupPostedSignal,
  reconnectedSignal,
  statusQuery,
  writeBackWorkSignal,
} from '../workflows/connection-contract.js';
import type { connectionWorkflow } from '../workflows/connection.js';
import type { revokeGrantWorkflow } from '../workflows/revocation.js';
import { FastFollowAccountIdKey, SalesforceEnvironmentKey, SalesforceOrgIdKey, SyncPhaseKey } from '../workflows/search-attributes.js';

// The API talks to Temporal through this module and api/temporal-support.ts (support's Updates): the
// rest of api/ sees plain functions.

export type TemporalClient = Client;
export type TemporalConnection = Connection;

/**
 * Lazy connections: the API starts (and /api/health reports "down") even while Temporal is unreachable.
 * TLS, mTLS and the API key come from the same settings as the worker's (platform/temporal-connection.ts).
 * The health probe has a connection of its own that never retries: a probe asks once within its deadline,
 * and the default retries' timers, still pending when the API stopped, fired on a closed channel.
 */
export function connectTemporal(config: TemporalConnectionSettings & Pick<Config, 'TEMPORAL_NAMESPACE'>): { client: Client; connection: Connection; healthConnection: Connection } {
  const options = temporalConnectionOptions(config);
  const connection = Connection.lazy(options);
  const healthConnection = Connection.lazy({ ...options, interceptors: [] });
  return { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), connection, healthConnection };
}

/** For the health route: settles when Temporal's health service answers within `timeoutMs`. */
export function checkTemporalHealth(connection: Connection, timeoutMs: number): Promise<unknown> {
  return connection.withDeadline(Date.now() + timeoutMs, () => connection.healthService.check({}));
}

export interface ConnectionGrant {
  connectionId: string;
  accountId: string;
  environment: Environment;
  orgId: string;
  connectedAt: string;
}

/**
 * Starts the connection's workflow on first connect, or signals the running one (reconnect) so it
 * keeps its sync state. Sync settings are not passed: the worker supplies them to every run.
 */
export async function startOrSignalConnection(client: Client, taskQueue: string, grant: ConnectionGrant): Promise<void> {
  await client.workflow.signalWithStart<typeof connectionWorkflow, [{ orgId: string; connectedAt: string }]>('connectionWorkflow', {
    workflowId: connectionWorkflowId(grant.accountId, grant.environment),
    taskQueue,
    args: [grant],
    signal: reconnectedSignal,
    signalArgs: [{ orgId: grant.orgId, connectedAt: grant.connectedAt }],
    typedSearchAttributes: [
      { key: FastFollowAccountIdKey, value: grant.accountId },
      { key: SalesforceEnvironmentKey, value: grant.environment },
      { key: SalesforceOrgIdKey, value: grant.orgId },
      { key: SyncPhaseKey, value: 'initial_sync' },
    ],
  });
}

/** Asks the workflow to end and waits up to `waitMs` for it (a page in flight finishes first). */
export async function stopConnectionWorkflow(client: Client, accountId: string, environment: Environment, reason: string, waitMs: number): Promise<void> {
  const handle = client.workflow.getHandle(connectionWorkflowId(accountId, environment));
  try {
    await handle.signal(disconnectSignal, { reason });
    await Promise.race([handle.result(), new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
  } catch (error) {
    // Not running (never connected, or already ended): nothing to stop.
    if (!isNotRunning(error)) throw error;
  }
}

/**
 * Makes sure a pending revocation has its workflow (which retries until Salesforce revoked the grant).
 * Idempotent: a workflow already running for the row is kept; one that finished finds the row done.
 * Bounded by `timeoutMs`, so an unreachable Temporal fails fast (the row stays pending for a sweep).
 */
export async function startRevocationWorkflow(client: Client, taskQueue: string, revocationId: string, timeoutMs = 3_000): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    client.workflow.start<typeof revokeGrantWorkflow>('revokeGrantWorkflow', {
      workflowId: revocationWorkflowId(revocationId),
      taskQueue,
      args: [{ revocationId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    }),
  );
}

/**
 * The workflow's status: live from the running workflow (the query bounded by `timeoutMs`), or its
 * final status. `status: null` otherwise, with the indexed phase when it runs but did not answer.
 */
export async function workflowStatus(
  client: Client,
  accountId: string,
  environment: Environment,
  timeoutMs: number,
): Promise<{ status: ConnectionStatus | null; unansweredPhase?: SyncPhase }> {
  const handle = client.workflow.getHandle<typeof connectionWorkflow>(connectionWorkflowId(accountId, environment));
  let indexedPhase: SyncPhase | undefined;
  try {
    const description = await handle.describe();
    if (description.status.name === 'RUNNING') {
      indexedPhase = description.typedSearchAttributes.get(SyncPhaseKey) as SyncPhase | undefined;
      return { status: await client.connection.withDeadline(Date.now() + timeoutMs, () => handle.query(statusQuery)) };
    }
    if (description.status.name === 'COMPLETED') return { status: await handle.result() };
  } catch (error) {
    // No worker answered: the SyncPhase search attribute still tells where it was.
    if (indexedPhase !== undefined) return { status: null, unansweredPhase: indexedPhase };
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  return { status: null };
}

/**
 * Tells the connection's workflow that a follow-up is waiting to be logged as a Task (its id only;
 * the activity reads the row). 'not-running' when the connection has no workflow.
 */
export async function notifyFollowupPosted(
  client: Client,
  accountId: string,
  environment: Environment,
  followupId: string,
  timeoutMs = 3_000,
): Promise<'notified' | 'not-running'> {
  const handle = client.workflow.getHandle<typeof connectionWorkflow>(connectionWorkflowId(accountId, environment));
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () => handle.signal(followupPostedSignal, { followupId }));
    return 'notified';
  } catch (error) {
    if (isNotRunning(error)) return 'not-running';
    throw error;
  }
}

/** Wakes the connection's write-back lane (e.g. a newly mapped field to backfill); 'not-running' when there is no workflow. */
export async function notifyWriteBackWork(client: Client, accountId: string, environment: Environment, timeoutMs = 3_000): Promise<'notified' | 'not-running'> {
  const handle = client.workflow.getHandle<typeof connectionWorkflow>(connectionWorkflowId(accountId, environment));
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () => handle.signal(writeBackWorkSignal));
    return 'notified';
  } catch (error) {
    if (isNotRunning(error)) return 'not-running';
    throw error;
  }
}

/** The workflow is not there (never started, or completed). */
export function isNotRunning(error: unknown): boolean {
  return error instanceof WorkflowNotFoundError || (error instanceof Error && /workflow execution already completed/i.test(error.message));
}

/**
 * Running connections whose SyncPhase search attribute is `phase` (Temporal's visibility, which trails
 * the workflow by a moment), at most `limit`; `capped` when there were more. For the support console.
 */
export async function runningConnectionsInPhase(
  client: Client,
  phase: SyncPhase,
  limit: number,
): Promise<{ connections: Array<{ accountId: string; environment: Environment }>; capped: boolean }> {
  const query = `WorkflowType = 'connectionWorkflow' AND ExecutionStatus = 'Running' AND ${SyncPhaseKey.name} = '${phase}'`;
  const connections: Array<{ accountId: string; environment: Environment }> = [];
  for await (const execution of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    const accountId = execution.typedSearchAttributes.get(FastFollowAccountIdKey);
    const environment = execution.typedSearchAttributes.get(SalesforceEnvironmentKey) as Environment | undefined;
    if (!accountId || !environment) continue;
    if (connections.length === limit) return { connections, capped: true };
    connections.push({ accountId, environment });
  }
  return { connections, capped: false };
}

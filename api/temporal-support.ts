import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client, type WorkflowHandle } from '@temporalio/client';
import { connectionWorkflowId, type ConnectionStatus } from '../domain/connection-status.js';
import type { Environment } from '../domain/environment.js';
import type { Allocation } from '../domain/budget.js';
import type { OffHoursWindow } from '../domain/offhours.js';
import {
  allocationUpdate,
  pauseSignal,
  pauseUpdate,
  resumeSignal,
  resumeUpdate,
  resyncSignal,
  resyncUpdate,
  scheduleUpdate,
  statusQuery,
} from '../workflows/connection-contract.js';
import type { connectionWorkflow } from '../workflows/connection.js';
import { isNotRunning } from './temporal.js';

// Support's commands and quota settings as Temporal Updates (the other half of the API's Temporal
// client, beside api/temporal.ts): each answers the connection's status once it took effect.

export type SupportCommand = 'pause' | 'resume' | 'resync';
export type SupportOutcome = { outcome: 'applied'; status: ConnectionStatus } | { outcome: 'not-running' } | { outcome: 'still-waiting' };

const updates = { pause: pauseUpdate, resume: resumeUpdate, resync: resyncUpdate } as const;
const signals = { pause: pauseSignal, resume: resumeSignal, resync: resyncSignal } as const;

/**
 * Runs a support command as an Update: answers the status once the command took effect. When that
 * takes longer than `waitMs` (a long page in flight), the command stays queued: 'still-waiting'.
 */
export async function runSupportCommand(
  client: Client,
  accountId: string,
  environment: Environment,
  command: SupportCommand,
  waitMs: number,
): Promise<SupportOutcome> {
  const handle = client.workflow.getHandle<typeof connectionWorkflow>(connectionWorkflowId(accountId, environment));
  try {
    const status = await client.connection.withDeadline(Date.now() + waitMs, () => handle.executeUpdate(updates[command]));
    return { outcome: 'applied', status };
  } catch (error) {
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { outcome: 'still-waiting' };
    if (isNotRunning(error)) return { outcome: 'not-running' };
    if (isUnknownUpdate(error)) return signalFallback(client, handle, command, waitMs);
    // The workflow refused it (it is ending: the validator): as good as not running.
    if (error instanceof WorkflowUpdateFailedError) return { outcome: 'not-running' };
    throw error;
  }
}

export type QuotaSetting = { kind: 'schedule'; window: OffHoursWindow | null } | { kind: 'allocation'; allocation: Allocation };
export type QuotaOutcome = { outcome: 'applied'; status: ConnectionStatus } | { outcome: 'not-running' } | { outcome: 'refused'; message: string };

/** Sets the off-hours window or the API allocation (Updates that take effect at once and answer the status). */
export async function setQuotaSetting(client: Client, accountId: string, environment: Environment, setting: QuotaSetting, waitMs: number): Promise<QuotaOutcome> {
  const handle = client.workflow.getHandle<typeof connectionWorkflow>(connectionWorkflowId(accountId, environment));
  try {
    const status = await client.connection.withDeadline(Date.now() + waitMs, () =>
      setting.kind === 'schedule' ? handle.executeUpdate(scheduleUpdate, { args: [{ window: setting.window }] }) : handle.executeUpdate(allocationUpdate, { args: [setting.allocation] }),
    );
    return { outcome: 'applied', status };
  } catch (error) {
    if (isNotRunning(error)) return { outcome: 'not-running' };
    // The validator refused it: the connection is ending, or (a client bypassing the API's checks) a bad value.
    if (error instanceof WorkflowUpdateFailedError) return { outcome: 'refused', message: error.cause?.message ?? error.message };
    throw error;
  }
}

/** A worker still on code without the Updates: the signal, then the status as it is. */
async function signalFallback(
  client: Client,
  handle: WorkflowHandle<typeof connectionWorkflow>,
  command: SupportCommand,
  waitMs: number,
): Promise<SupportOutcome> {
  await handle.signal(signals[command]);
  return { outcome: 'applied', status: await client.connection.withDeadline(Date.now() + waitMs, () => handle.query(statusQuery)) };
}

function isUnknownUpdate(error: unknown): boolean {
  return error instanceof WorkflowUpdateFailedError && /No registered handler for update/.test(error.cause?.message ?? '');
}

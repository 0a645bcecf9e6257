import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { pauseSignal, resumeSignal, resyncSignal, statusQuery } from '../../workflows/connection-contract.js';
import { connectionWorkflowId, type ConnectionStatus } from '../../domain/connection-status.js';
import type { Environment } from '../../domain/environment.js';

export type SupportCommand = 'pause' | 'resume' | 'resync';

const signals = { pause: pauseSignal, resume: resumeSignal, resync: resyncSignal } as const;

/**
 * Hands a support command to the connection's running workflow; it takes effect between pages.
 * Returns the status right after, or null when no connection workflow is running.
 */
export async function sendSupportCommand(
  temporal: Client,
  accountId: string,
  environment: Environment,
  command: SupportCommand,
): Promise<ConnectionStatus | null> {
  const handle = temporal.workflow.getHandle(connectionWorkflowId(accountId, environment));
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return null;
    await handle.signal(signals[command]);
    return await handle.query(statusQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

import type { ConnectionStatus } from '../../domain/connection-status.js';
import type { Environment } from '../../domain/environment.js';
import { runSupportCommand, setQuotaSetting, type QuotaOutcome, type QuotaSetting, type SupportCommand } from '../temporal-support.js';
import { connectionStatus, type LifecycleDeps } from './lifecycle.js';

export type { SupportCommand } from '../temporal-support.js';

/** How long a support route waits for its command to take effect (a page in flight finishes first). */
const COMMAND_WAIT_MS = 15_000;

/**
 * Hands a support command to the connection's running workflow as an Update; it takes effect
 * between pages. Returns the status once it did (or, after COMMAND_WAIT_MS, the status then, with
 * the command still queued), or null when no connection workflow is running.
 */
export async function sendSupportCommand(
  deps: LifecycleDeps,
  accountId: string,
  environment: Environment,
  command: SupportCommand,
): Promise<{ applied: boolean; status: ConnectionStatus } | null> {
  const result = await runSupportCommand(deps.temporal, accountId, environment, command, COMMAND_WAIT_MS);
  if (result.outcome === 'applied') return { applied: true, status: result.status };
  if (result.outcome === 'not-running') return null;
  deps.logger.warn({ accountId, environment, command }, 'support command still waiting for the page in flight; answering the current status');
  const status = await connectionStatus(deps, accountId, environment);
  return status ? { applied: false, status } : null;
}

/** Sets the connection's off-hours window or API allocation; answers the status with it in effect. */
export function setQuotaSettingFor(deps: LifecycleDeps, accountId: string, environment: Environment, setting: QuotaSetting): Promise<QuotaOutcome> {
  return setQuotaSetting(deps.temporal, accountId, environment, setting, COMMAND_WAIT_MS);
}

import type { ConnectionStatus } from '../../../domain/connection-status.js';

/** Where a connection page's form posts an action (pause, schedule, …). */
export function actionPath(status: Pick<ConnectionStatus, 'accountId' | 'environment'>, action: string): string {
  return `/support/connections/${encodeURIComponent(status.accountId)}/${status.environment}/${action}`;
}

import type { ConnectionStatus } from '../domain/connection-status.js';
import type { BenchSystem } from './system.js';

export async function connectionStatus(system: BenchSystem, accountId: string): Promise<ConnectionStatus | undefined> {
  const response = await system.call(`/api/integrations/salesforce/connections/${accountId}/production`);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`status answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ConnectionStatus;
}

/** Polls `check` until it returns a value; fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number }): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A sync stuck in an error or backoff phase will not finish: fail the run with its reason. */
export function failIfStuck(status: ConnectionStatus | undefined): void {
  if (status && (status.phase === 'error' || status.phase === 'backing_off' || status.phase === 'disconnected')) {
    throw new Error(`connection is ${status.phase}: ${status.error ? `${status.error.code}: ${status.error.message}` : (status.endedReason ?? '')}`);
  }
}

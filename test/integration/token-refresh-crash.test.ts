import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionWorkflowId, type ConnectionStatus } from '../../domain/connection-status.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { startWorkerProcess } from '../support/worker-process.js';

// A worker process SIGKILLed after Salesforce rotated the refresh token but before the answer reached
// it: the new token is held by nobody. The next refresh presents the rotated-out token, Salesforce
// ends the whole grant, and the status must name the lost token (ours), not an admin revocation.

let system: TestSystem;
const workers: ChildProcess[] = [];
const TWO_HOURS_AND_A_BIT = 2 * 60 * 60 * 1000 + 60_000;

beforeAll(async () => {
  // A short HTTP timeout keeps the dead worker's refresh lease (twice the timeout) short.
  system = await startTestSystem({ SALESFORCE_HTTP_TIMEOUT: '5s' }, { worker: false });
}, 120_000);

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await system?.control.setClock(0);
  await system?.stop();
});

const refreshStates = async (orgId: string) => (await system.control.tokens(orgId)).tokens.filter((t) => t.type === 'refresh').map((t) => t.state);

describe('a worker killed right after Salesforce rotated the refresh token', () => {
  it('ends the connection as REFRESH_TOKEN_LOST with its fix, not as an admin revocation', async () => {
    const org = await system.createOrg('production');
    const first = await startWorkerProcess(system, workers);
    await connectThroughBrowser(system, 'acct-lost-token', 'production', org);
    await eventually(async () => (await system.status('acct-lost-token')).initialSync?.completedAt, 60_000);
    expect(await refreshStates(org.orgId)).toEqual(['active']);

    // Salesforce rotates at once but its answer takes 30 s to arrive; then every session expires.
    await system.control.setFaults(org.orgId, { tokenResponseDelayMs: 30_000 });
    await system.control.setClock(TWO_HOURS_AND_A_BIT);
    await eventually(async () => (await refreshStates(org.orgId)).includes('rotated'), 30_000);
    first.kill('SIGKILL');
    await system.control.setFaults(org.orgId, {});

    // A new worker takes over the connection once the dead one's activity and lease have timed out.
    await startWorkerProcess(system, workers);
    const handle = system.temporal.workflow.getHandle(connectionWorkflowId('acct-lost-token', 'production'));
    const final = (await Promise.race([
      handle.result(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the connection did not end within 90 s')), 90_000)),
    ])) as ConnectionStatus;

    expect(final.phase).toBe('disconnected');
    expect(final.error).toMatchObject({ code: 'REFRESH_TOKEN_LOST' });
    expect(final.error?.fix).toContain('Reconnect');
    expect(final.error?.fix).not.toContain('revoked in Salesforce');
    expect(final.endedReason).not.toBe('Access revoked in Salesforce');
    const status = await system.status('acct-lost-token');
    expect(status.error).toMatchObject({ code: 'REFRESH_TOKEN_LOST' });

    const row = await system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', 'acct-lost-token').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'revoked', refresh_token_ciphertext: null, access_token_ciphertext: null, refresh_in_flight_since: null });
    // Salesforce's reuse rule ended the whole grant: no token of it is left alive.
    expect((await system.control.tokens(org.orgId)).tokens.filter((t) => t.state === 'active')).toEqual([]);
  }, 180_000);
});

import { describe, expect, it } from 'vitest';
import type { ConnectionWorkflowInput } from '../../workflows/connection-contract.js';
import { explainError } from '../../domain/error-explanations.js';
import { ConnectionState } from '../../workflows/connection-state.js';

const input: ConnectionWorkflowInput = {
  connectionId: 'c-1',
  accountId: 'acct-1',
  environment: 'production',
  orgId: '00D000000000001',
  connectedAt: '2024-05-01T10:00:00.000Z',
};

/** What continueAsNew does to the carried state: a JSON round trip into the next run's input. */
function nextRun(state: ConnectionState): ConnectionState {
  return ConnectionState.fromInput({ ...input, carried: JSON.parse(JSON.stringify(state.toCarried())) });
}

describe('ConnectionState', () => {
  it('starts a new connection in the initial read with nothing pending', () => {
    const state = ConnectionState.fromInput(input);
    expect(state.status).toMatchObject({ accountId: 'acct-1', orgId: '00D000000000001', phase: 'initial_sync' });
    expect(state.status.initialSync).toBeUndefined();
    expect([state.paused, state.initialSyncDone, state.resyncRequested, state.backoffAttempt]).toEqual([false, false, false, 0]);
  });

  it('carries a pending resync, a pause and the backoff across continueAsNew', () => {
    const state = ConnectionState.fromInput(input);
    state.readCompleted('2024-05-01T10:05:00.000Z');
    state.nextBackoffMs({ backoffBaseMs: 1_000, backoffMaxMs: 60_000, errorRecheckMs: 1 }, 0);
    state.resync();
    state.pause();
    const next = nextRun(state);
    expect(next.resyncRequested).toBe(true);
    expect(next.paused).toBe(true);
    expect(next.initialSyncDone).toBe(true);
    expect(next.backoffAttempt).toBe(1);
    expect(next.status).toEqual(state.status);
  });

  it('reads runs carried before pending commands were carried', () => {
    const state = ConnectionState.fromInput({ ...input, carried: { status: ConnectionState.fromInput(input).status, paused: false, initialSyncDone: true } });
    expect([state.resyncRequested, state.wake, state.backoffAttempt]).toEqual([false, false, 0]);
  });

  it('counts commands until the lane acts on them; a resume with nothing stopped is no command', () => {
    const state = ConnectionState.fromInput(input);
    state.status.phase = 'incremental';
    expect(state.resume()).toBeUndefined();
    const seq = state.pause();
    expect(state.hasActedOn(seq)).toBe(false);
    expect(state.hasCommandToActOn).toBe(true);
    state.markCommandsActedOn();
    expect(state.hasActedOn(seq)).toBe(true);
    expect(state.resume()).toBe(seq + 1);
  });

  it('backs off exponentially with jitter, capped, and resets after a completed read', () => {
    const state = ConnectionState.fromInput(input);
    const timings = { backoffBaseMs: 1_000, backoffMaxMs: 4_000, errorRecheckMs: 1 };
    expect([0, 0, 0, 0].map(() => state.nextBackoffMs(timings, 0.999999))).toEqual([1_000, 2_000, 4_000, 4_000].map((ms) => ms * (0.5 + 0.999999 / 2)));
    expect(state.nextBackoffMs(timings, 0)).toBe(2_000);
    state.readCompleted('2024-05-01T10:05:00.000Z');
    expect(state.nextBackoffMs(timings, 0)).toBe(500);
  });

  it('the concurrent long-request limit backs off for seconds (5 s doubling to 1 min, with jitter)', () => {
    const state = ConnectionState.fromInput(input);
    expect([0, 0, 0, 0, 0, 0].map(() => state.nextConcurrencyBackoffMs(0.999999))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000].map((ms) => ms * (0.5 + 0.999999 / 2)));
    state.readCompleted('2024-05-01T10:05:00.000Z');
    expect(state.nextConcurrencyBackoffMs(0)).toBe(2_500);
  });

  it('a revoked grant during a FastFollow disconnect keeps the disconnect reason and no error', () => {
    const revoked = ConnectionState.fromInput(input);
    revoked.accessRevoked();
    expect(revoked.disconnectReason).toBe('Access revoked in Salesforce');

    const disconnecting = ConnectionState.fromInput(input);
    disconnecting.disconnect('Disconnected from FastFollow');
    disconnecting.failed(explainError('INVALID_GRANT'), '2024-05-01T10:05:00.000Z');
    disconnecting.accessRevoked();
    expect(disconnecting.disconnectReason).toBe('Disconnected from FastFollow');
    expect(disconnecting.status.error).toBeNull();
  });
});

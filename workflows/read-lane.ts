import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, isCancellation, patched, workflowInfo } from '@temporalio/workflow';
import type { SyncSettings } from '../activities/settings.js';
import type { SyncPhase } from '../domain/connection-status.js';
import { explainError } from '../domain/error-explanations.js';
import type { ConnectionWorkflowInput, WorkflowTimings } from './connection-contract.js';
import type { ConnectionState } from './connection-state.js';
import { checkConnection, resetSyncCursors } from './connection-activities.js';
import { backoffWait, waitOut } from './quota-gate.js';
import { readAllObjects } from './read-pass.js';

const CYCLES_BEFORE_CONTINUE_AS_NEW = 500;
/** Patch: an incremental read that a reconnect to another org overtook does not count as that org's initial read. */
const RECONNECT_MID_READ_PATCH = 'reconnect-mid-read-keeps-initial-pending';

export interface LaneContext {
  input: ConnectionWorkflowInput;
  state: ConnectionState;
  settings: SyncSettings;
  timings: WorkflowTimings;
  /** Patched paths: the per-page sync cycle (else the v1 bare connection check). */
  useSyncCycle: boolean;
  /** Patched: a command that arrived while a page was read cuts the next wait short. */
  pendingCommandsCutWaits: boolean;
  /** Patched: off-hours windows, the API allocation and lane-wide quota backoff gate the reads. */
  quotaGates?: boolean;
  setPhase(phase: SyncPhase, details: string): void;
}

export type LaneOutcome = 'ended' | 'continue-as-new';

/**
 * The read lane: Salesforce → FastFollow, one cycle after another, with pauses, resyncs, backoff and
 * error waits. Returns when the connection ends or the run should continue as new. Other lanes
 * (write-back) run beside it with their own loop, so a long read page never holds them up.
 */
export async function readLane(ctx: LaneContext): Promise<LaneOutcome> {
  const { state } = ctx;
  for (let cycle = 0; ; cycle++) {
    if (state.ended) return 'ended';
    if (state.paused) {
      await parkWhilePaused(ctx);
      continue;
    }
    await startCycle(ctx);
    try {
      await (ctx.useSyncCycle ? readCycle(ctx) : legacyCheck(ctx));
    } catch (error) {
      // Cancelled by the disconnect: nothing failed, the connection just ended.
      if (state.ended && isCancellation(error)) return 'ended';
      await onFailure(ctx, error);
    }
    // An Update still waiting for the lane must be answered in this run: continue as new a cycle later.
    if (continueAsNewDue(ctx, cycle) && !state.ended && allHandlersFinished()) return 'continue-as-new';
  }
}

async function parkWhilePaused({ state, setPhase }: LaneContext): Promise<void> {
  setPhase('paused', 'Paused by support; waiting for resume');
  state.parked = true;
  state.markCommandsActedOn();
  await condition(() => !state.paused || state.ended);
  state.parked = false;
}

/** Applies a requested resync, then reports the phase of the cycle about to run. */
async function startCycle({ input, state, setPhase, useSyncCycle }: LaneContext): Promise<void> {
  if (state.resyncRequested) {
    await resetSyncCursors({ connectionId: input.connectionId });
    state.resyncStarted();
  }
  const initial = !state.initialSyncDone;
  setPhase(initial ? 'initial_sync' : 'incremental', initial ? 'Initial sync' : 'Incremental sync');
  if (useSyncCycle) state.beginInitialRead(new Date().toISOString());
  // A pause that came during the reset is acted on when the lane parks, not here.
  if (!state.paused) state.markCommandsActedOn();
}

/** One pass over every object (the initial read, or an incremental window), then the poll wait. */
async function readCycle(ctx: LaneContext): Promise<void> {
  const mode = ctx.state.initialSyncDone ? 'incremental' : 'initial';
  const outcome = await readAllObjects(ctx, mode);
  if (typeof outcome === 'object') {
    await waitOut(ctx, outcome, (ms) => waitForCommand(ctx, ms));
    return;
  }
  if (outcome === 'interrupted') return;
  // Reconnected to another org while this incremental read ran: the next cycle is that org's initial read.
  if (mode === 'incremental' && !ctx.state.initialSyncDone && patched(RECONNECT_MID_READ_PATCH)) return;
  const wasInitial = ctx.state.readCompleted(new Date().toISOString());
  ctx.state.writeBackWake = true;
  if (wasInitial) return; // straight on to the first incremental window
  ctx.setPhase('incremental', `Up to date; next sync in ${Math.round(ctx.settings.pollIntervalMs / 1000)}s`);
  await waitForCommand(ctx, ctx.settings.pollIntervalMs);
}

/** Before the sync cycle: a bare connection check per poll (kept for workflows started then). */
async function legacyCheck(ctx: LaneContext): Promise<void> {
  const result = await checkConnection({ connectionId: ctx.input.connectionId });
  ctx.state.connectionChecked(result.apiUsage, new Date().toISOString());
  ctx.setPhase('incremental', `Up to date; next check in ${Math.round(ctx.settings.pollIntervalMs / 1000)}s`);
  await waitForCommand(ctx, ctx.settings.pollIntervalMs);
}

/** Salesforce's verdict decides: revoked ends the connection, limits back off, the rest wait for a fix. */
async function onFailure(ctx: LaneContext, error: unknown): Promise<void> {
  const { state, setPhase } = ctx;
  if (ctx.quotaGates) state.quota.probing = false;
  const explanation = explainError(failureType(error) ?? 'UNKNOWN', error instanceof Error ? error.message : undefined);
  state.failed(explanation, new Date().toISOString());
  if (explanation.code === 'INVALID_GRANT' || explanation.code === 'REFRESH_TOKEN_LOST') {
    state.accessRevoked(explanation.code === 'REFRESH_TOKEN_LOST' ? 'Refresh token lost after an interrupted token refresh' : undefined);
  } else if (explanation.code === 'REQUEST_LIMIT_EXCEEDED' && ctx.quotaGates) {
    // One episode for every lane: whoever was refused first set it; the others wait it out too.
    const untilMs = state.quota.limitRefused(Date.now(), () => state.nextBackoffMs(ctx.timings, Math.random()));
    await waitOut(ctx, backoffWait(untilMs, explanation.message), (ms) => waitForCommand(ctx, ms));
  } else if (explanation.code === 'REQUEST_LIMIT_EXCEEDED') {
    const delay = state.nextBackoffMs(ctx.timings, Math.random());
    setPhase('backing_off', `API limit reached; retrying in ${Math.round(delay / 1000)}s`);
    await waitForCommand(ctx, delay);
  } else if (explanation.code === 'CONCURRENT_REQUEST_LIMIT') {
    // A code newer than every recorded history, and the same commands (search attributes, a timer) as
    // the error branch it used to take: no patch needed.
    const delay = state.nextConcurrencyBackoffMs(Math.random());
    setPhase('backing_off', `Salesforce is busy with other long requests; retrying in ${Math.round(delay / 1000)}s`);
    await waitForCommand(ctx, delay);
  } else if (ctx.quotaGates) {
    await waitForFix(ctx, explanation.code, explanation.permanent);
  } else {
    setPhase('error', `${explanation.code}: waiting for a fix (re-checks hourly and on resume)`);
    await waitForCommand(ctx, explanation.permanent ? ctx.timings.errorRecheckMs : ctx.settings.pollIntervalMs);
  }
}

/** A permanent error re-checks after minutes, then ever longer up to hours (a resume re-checks at once). */
async function waitForFix(ctx: LaneContext, code: string, permanent: boolean): Promise<void> {
  const { state, timings } = ctx;
  const first = timings.errorRecheckFirstMs ?? 5 * 60 * 1000;
  const delay = permanent ? Math.min(timings.errorRecheckMs, first * 2 ** state.backoffAttempt++) : ctx.settings.pollIntervalMs;
  const until = new Date(Date.now() + delay).toISOString();
  state.status.waiting = { kind: 'error_recheck', reason: code, until };
  ctx.setPhase('error', `${code}: waiting for a fix; re-checks at ${until} and at once on resume`);
  try {
    await waitForCommand(ctx, delay);
  } finally {
    state.status.waiting = null;
  }
}

/** Waits up to `ms` for a command; true when one arrived. */
export async function waitForCommand({ state, pendingCommandsCutWaits }: LaneContext, ms: number): Promise<boolean> {
  state.wake = false;
  if (pendingCommandsCutWaits && state.hasCommandToActOn) return true;
  return condition(() => state.wake || state.ended, ms);
}

function continueAsNewDue({ input }: LaneContext, cycle: number): boolean {
  return workflowInfo().continueAsNewSuggested || cycle >= (input.cyclesPerRun ?? CYCLES_BEFORE_CONTINUE_AS_NEW);
}

/** The Salesforce error code carried by a failed activity, if any. */
function failureType(error: unknown): string | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause.type ?? undefined;
  if (error instanceof ApplicationFailure) return error.type ?? undefined;
  return undefined;
}

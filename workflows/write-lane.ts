import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
} from '@temporalio/workflow';
import type { Activities, LogFollowupsResult } from '../activities/index.js';
import { explainError } from '../domain/error-explanations.js';
import { limitCleared } from './quota-gate.js';
import type { LaneContext } from './read-lane.js';

/** Patch id: the write lane logs posted follow-ups as Salesforce Tasks (its first command is behind it). */
const WRITE_LANE_PATCH = 'followup-write-lane';
/**
 * Patch id: a batch that is not full waits another flush delay while follow-ups keep coming fast (up to
 * `followupCollectMaxMs`), instead of always going one flush delay after the first.
 */
const BATCH_WHILE_BUSY_PATCH = 'followup-batch-fills-while-busy';
/** sObject Collections take 200 records: this many posted follow-ups are sent at once. */
const FULL_BATCH = 200;
const DEFAULT_FLUSH_MS = 500;
/** A flush delay in which this many more were posted is followed by another: a burst is arriving. */
const BUSY_WINDOW = 25;
const DEFAULT_COLLECT_MAX_MS = 2_000;

const { logFollowupBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
  // A disconnect waits until the batch stopped: no Task is created for a connection that ended.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  summary: 'Log sent follow-ups as Salesforce Tasks (one sObject Collections call of up to 200)',
});

export interface WriteLaneContext extends LaneContext {
  /** True once the read lane returned (the run ends or continues as new): the write lane stops between batches. */
  runEnding(): boolean;
}

/**
 * The write lane: FastFollow → Salesforce. Sends posted follow-ups as Tasks in batches, beside the
 * read lane and with its own loop, so a long read page never delays a Task. A batch goes as soon as
 * 200 follow-ups were posted, or a flush delay after the first (longer while a burst is arriving:
 * `collectBatch`). It stops on pause and disconnect like the read lane; what is still pending is
 * carried across continueAsNew.
 */
export async function writeLane(ctx: WriteLaneContext): Promise<void> {
  const scope = new CancellationScope();
  void condition(() => ctx.state.ended).then(() => scope.cancel());
  try {
    await scope.run(() => writeLoop(ctx));
  } catch (error) {
    if (ctx.state.ended && isCancellation(error)) return;
    throw error;
  }
}

async function writeLoop(ctx: WriteLaneContext): Promise<void> {
  const { state } = ctx;
  const mustStop = () => state.ended || ctx.runEnding();
  let nextDueInMs: number | null = null;
  // Follow-ups carried from the previous run have waited already.
  let sendAtOnce = ctx.input.carried?.followupsPending === true;
  for (;;) {
    if (!state.followupsPending) {
      // Idle until a follow-up is posted, or a waiting one (its contact not in Salesforce yet) comes due.
      const woken = await condition(() => state.followupsPending || mustStop(), nextDueInMs ?? undefined);
      if (!woken) state.followupsPending = true;
    }
    if (mustStop()) return;
    if (state.paused) {
      await condition(() => !state.paused || mustStop());
      continue;
    }
    if (!patched(WRITE_LANE_PATCH)) return;
    if (!sendAtOnce) await collectBatch(ctx, mustStop);
    if (mustStop()) return;
    if (state.paused) continue;
    // During a quota backoff no Task call goes out (the follow-ups stay queued), and only one lane probes after it.
    if (ctx.quotaGates) await limitCleared(state, mustStop);
    if (mustStop()) return;
    state.followupsPosted.clear();
    state.followupsPending = false;
    const result = await sendBatch(ctx);
    if (!result) continue;
    // A full batch more is ready: at once. Fewer: collect for the flush delay first.
    sendAtOnce = result.due >= FULL_BATCH;
    if (result.due > 0) state.followupsPending = true;
    nextDueInMs = result.nextDueInMs;
  }
}

/**
 * Waits until a batch is worth a call: 200 posted, or `followupFlushMs` after the lane began collecting.
 * While follow-ups keep coming fast (25 or more in the last flush delay: a burst the app or a busy API
 * delivers over seconds) it waits another flush delay, up to `followupCollectMaxMs` in all, so the burst
 * fills its batches instead of going out in pieces. A trickle goes as before, one flush delay after its first.
 */
async function collectBatch(ctx: WriteLaneContext, mustStop: () => boolean): Promise<void> {
  const { state, timings } = ctx;
  const worthSending = () => state.followupsPosted.size >= FULL_BATCH || mustStop();
  const flushMs = timings.followupFlushMs ?? DEFAULT_FLUSH_MS;
  if (!patched(BATCH_WHILE_BUSY_PATCH)) {
    await condition(worthSending, flushMs);
    return;
  }
  const latest = Date.now() + Math.max(flushMs, timings.followupCollectMaxMs ?? DEFAULT_COLLECT_MAX_MS);
  for (;;) {
    const postedBefore = state.followupsPosted.size;
    // Never past `latest`: the loop ends below once it is reached, so what is left is always positive.
    if (await condition(worthSending, Math.min(flushMs, latest - Date.now()))) return;
    if (state.followupsPosted.size - postedBefore < BUSY_WINDOW || Date.now() >= latest) return;
  }
}

/** One batch; on failure the follow-ups stay pending and the lane waits before trying again. */
async function sendBatch(ctx: WriteLaneContext): Promise<LogFollowupsResult | undefined> {
  const { state } = ctx;
  try {
    const result = await logFollowupBatch({ connectionId: ctx.input.connectionId });
    state.recordTaskBatch(result.apiCalls, result.apiUsage, new Date().toISOString());
    return result;
  } catch (error) {
    if (state.ended && isCancellation(error)) throw error;
    const explanation = explainError(failureType(error) ?? 'UNKNOWN', error instanceof Error ? error.message : undefined);
    state.followupsPending = true;
    if (explanation.code === 'INVALID_GRANT' || explanation.code === 'REFRESH_TOKEN_LOST') {
      // The read lane ends the connection on its next call; nothing can be logged meanwhile.
      await condition(() => state.ended || ctx.runEnding());
      return undefined;
    }
    if (explanation.code === 'REQUEST_LIMIT_EXCEEDED' && ctx.quotaGates) {
      // The lane-wide backoff episode: the next batch waits for it (limitCleared), no retry of its own.
      // (No wake: the read lane meets the episode at its next page; waking would also cut other lanes' waits short.)
      state.quota.limitRefused(Date.now(), () => state.nextBackoffMs(ctx.timings, Math.random()));
      return undefined;
    }
    if (ctx.quotaGates) state.quota.probing = false;
    const delay =
      explanation.code === 'REQUEST_LIMIT_EXCEEDED' ? ctx.timings.backoffBaseMs : explanation.permanent ? ctx.timings.errorRecheckMs : ctx.settings.pollIntervalMs;
    await condition(() => state.ended || ctx.runEnding() || state.wake, delay);
    return undefined;
  }
}

/** The Salesforce error code carried by a failed activity, if any. */
function failureType(error: unknown): string | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause.type ?? undefined;
  if (error instanceof ApplicationFailure) return error.type ?? undefined;
  return undefined;
}

import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, condition, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities, WriteBackResult } from '../activities/index.js';
import { explainError } from '../domain/error-explanations.js';
import { limitCleared } from './quota-gate.js';
import type { WriteLaneContext } from './write-lane.js';

/** Patch id: the write-back lane drains the outbox of FastFollow edits to Salesforce. */
export const WRITE_BACK_PATCH = 'write-back-outbox';
/** Patch id: the write-back lane joins the lane-wide quota backoff episode (waits it out; its refusal starts one). */
const QUOTA_EPISODE_PATCH = 'write-back-joins-quota-episode';

const { pushWriteBackBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  summary: 'Write FastFollow edits to Salesforce (one sObject Collections PATCH of up to 200 records)',
});

/**
 * The write-back lane: FastFollow edits (the outbox the contacts/deals triggers fill) → Salesforce,
 * beside the read lane and the Task lane. Postgres triggers cannot signal the workflow, so the lane
 * looks at the outbox after every read page and read cycle (the read lane's poll interval paces it);
 * while edits are due it sends batch after batch. Stops on pause and disconnect; the outbox itself
 * is the durable queue.
 */
export async function writeBackLane(ctx: WriteLaneContext): Promise<void> {
  if (!patched(WRITE_BACK_PATCH)) return;
  const scope = new CancellationScope();
  void condition(() => ctx.state.ended).then(() => scope.cancel());
  try {
    await scope.run(() => writeBackLoop(ctx));
  } catch (error) {
    if (ctx.state.ended && isCancellation(error)) return;
    throw error;
  }
}

async function writeBackLoop(ctx: WriteLaneContext): Promise<void> {
  const { state } = ctx;
  const mustStop = () => state.ended || ctx.runEnding();
  const joinsQuotaEpisode = ctx.quotaGates === true && patched(QUOTA_EPISODE_PATCH);
  for (;;) {
    if (mustStop()) return;
    if (state.paused) {
      await condition(() => !state.paused || mustStop());
      continue;
    }
    state.writeBackWake = false;
    // During a quota backoff no write goes out (the outbox keeps the edits), and only one lane probes after it.
    if (joinsQuotaEpisode) await limitCleared(state, mustStop);
    if (mustStop()) return;
    const result = await pushBatch(ctx, joinsQuotaEpisode);
    if (result && result.due > 0) continue;
    // No timer of its own: the read lane wakes this lane after every page and every cycle (so at
    // least every poll interval while up to date), which keeps histories free of a second poll timer.
    await condition(() => state.writeBackWake || mustStop());
  }
}

async function pushBatch(ctx: WriteLaneContext, joinsQuotaEpisode: boolean): Promise<WriteBackResult | undefined> {
  const { state } = ctx;
  try {
    const result = await pushWriteBackBatch({ connectionId: ctx.input.connectionId });
    if (result.apiCalls > 0) state.recordTaskBatch(result.apiCalls, result.apiUsage, new Date().toISOString());
    return result;
  } catch (error) {
    if (state.ended && isCancellation(error)) throw error;
    const code = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause.type : undefined;
    const explanation = explainError(code ?? 'UNKNOWN', error instanceof Error ? error.message : undefined);
    if (explanation.code === 'INVALID_GRANT' || explanation.code === 'REFRESH_TOKEN_LOST') {
      // The read lane ends the connection on its next call; nothing can be written meanwhile.
      await condition(() => state.ended || ctx.runEnding());
      return undefined;
    }
    if (explanation.code === 'REQUEST_LIMIT_EXCEEDED' && joinsQuotaEpisode) {
      // The lane-wide backoff episode (as in the Task lane): the next batch waits for it, no retry of its own.
      state.quota.limitRefused(Date.now(), () => state.nextBackoffMs(ctx.timings, Math.random()));
      return undefined;
    }
    if (joinsQuotaEpisode) state.quota.probing = false;
    const delay = explanation.code === 'REQUEST_LIMIT_EXCEEDED' ? ctx.timings.backoffBaseMs : explanation.permanent ? ctx.timings.errorRecheckMs : ctx.settings.pollIntervalMs;
    await condition(() => state.ended || ctx.runEnding() || state.wake, delay);
    return undefined;
  }
}

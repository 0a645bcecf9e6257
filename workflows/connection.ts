import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setCurrentDetails,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ConnectionStatus, SyncPhase } from '../domain/connection-status.js';
import type { ConnectionWorkflowInput, WorkflowTimings } from './connection-contract.js';
import { registerConnectionHandlers } from './connection-handlers.js';
import { ConnectionState } from './connection-state.js';
import { readLane, type LaneContext, type LaneOutcome } from './read-lane.js';
import { runSettings } from './run-settings.js';
import { writeBackLane } from './write-back-lane.js';
import { writeLane } from './write-lane.js';
import { FastFollowAccountIdKey, SalesforceEnvironmentKey, SalesforceOrgIdKey, SyncPhaseKey } from './search-attributes.js';

/** Patch id: the sync cycle replaced the bare connection check (histories before it replay the old path). */
const SYNC_PATCH = 'salesforce-sync-cycle';
/** Patch id: a command that arrives during a read (e.g. pause on the last page) no longer waits out the poll. */
const PENDING_COMMANDS_PATCH = 'pending-commands-cut-waits';
/** Patch id: a disconnect cancels the read lane's activities in flight (they stop calling Salesforce). */
const DISCONNECT_CANCELS_PATCH = 'disconnect-cancels-activities';
/** Patch id: off-hours windows, the API allocation and one quota backoff for every lane gate Salesforce calls. */
const QUOTA_PATCH = 'quota-windows-allocation';

const TIMINGS: WorkflowTimings = { backoffBaseMs: 60 * 1000, backoffMaxMs: 60 * 60 * 1000, errorRecheckMs: 60 * 60 * 1000 };

/**
 * The entity workflow that owns one Salesforce connection: its lifecycle, phase and status, the
 * initial read and the incremental cycles (page by page), and durable waits for backoff, errors and
 * pauses. Because one workflow owns the org, its API use is coordinated without locks.
 */
export async function connectionWorkflow(input: ConnectionWorkflowInput): Promise<ConnectionStatus> {
  const state = ConnectionState.fromInput(input);
  registerConnectionHandlers(state);
  const setPhase = (phase: SyncPhase, details: string) => {
    state.status.phase = phase;
    upsertSearchAttributes([
      { key: FastFollowAccountIdKey, value: input.accountId },
      { key: SalesforceEnvironmentKey, value: input.environment },
      { key: SalesforceOrgIdKey, value: state.status.orgId },
      { key: SyncPhaseKey, value: phase },
    ]);
    setCurrentDetails(details);
  };
  const disconnectCancels = patched(DISCONNECT_CANCELS_PATCH);
  const useSyncCycle = patched(SYNC_PATCH);
  const lane = {
    input,
    state,
    setPhase,
    useSyncCycle,
    pendingCommandsCutWaits: patched(PENDING_COMMANDS_PATCH),
    quotaGates: patched(QUOTA_PATCH),
    settings: await runSettings(input),
    timings: { ...TIMINGS, ...input.timings },
  };

  // Lanes run side by side: reads, writes (follow-ups logged as Tasks) and write-back (FastFollow edits
  // → Salesforce). The write lane issues no command before a follow-up is posted (then behind its
  // patch); the write-back lane's first command is behind its patch: older histories replay unchanged.
  let readEnded = false;
  const reads = (disconnectCancels ? readLaneUntilDisconnect(lane) : readLane(lane)).finally(() => (readEnded = true));
  const writeContext = { ...lane, runEnding: () => readEnded };
  const [read] = await Promise.all([reads, writeLane(writeContext), writeBackLane(writeContext)]);
  if (read === 'continue-as-new') {
    return continueAsNew<typeof connectionWorkflow>({ ...input, carried: state.toCarried() });
  }

  state.status.endedReason = state.disconnectReason;
  setPhase('disconnected', `Disconnected: ${state.disconnectReason}`);
  await condition(allHandlersFinished);
  return state.status;
}

/**
 * The read lane in a scope the disconnect cancels: a page in flight is cancelled (its activity stops
 * before its next Salesforce call), and the lane ends once the activity confirmed it stopped.
 */
async function readLaneUntilDisconnect(lane: LaneContext): Promise<LaneOutcome> {
  const scope = new CancellationScope();
  void condition(() => lane.state.ended).then(() => scope.cancel());
  try {
    return await scope.run(() => readLane(lane));
  } catch (error) {
    if (lane.state.ended && isCancellation(error)) return 'ended';
    throw error;
  }
}

import { condition, patched, setHandler } from '@temporalio/workflow';
import type { ConnectionStatus } from '../domain/connection-status.js';
import { allocationProblem } from '../domain/budget.js';
import { windowProblem } from '../domain/offhours.js';
import {
  allocationUpdate,
  disconnectSignal,
  followupPostedSignal,
  pauseSignal,
  pauseUpdate,
  reconnectedSignal,
  resumeSignal,
  resumeUpdate,
  resyncSignal,
  resyncUpdate,
  scheduleUpdate,
  statusQuery,
  writeBackWorkSignal,
} from './connection-contract.js';
import type { ConnectionState } from './connection-state.js';

/** Patch id: reconnecting to a different org restarts the initial read. */
const OTHER_ORG_PATCH = 'reconnect-other-org-restarts-sync';

/**
 * Wires the connection's messages to its state. Handlers only record commands; the read lane acts
 * on them between pages. The Updates then wait until it did, and answer the status at that point.
 */
export function registerConnectionHandlers(state: ConnectionState): void {
  // The quota figures as of now (our 24 h count falls while idle); reading changes no state.
  setHandler(statusQuery, () => ({ ...state.status, ...state.quota.statusFields(Date.now(), state.status.apiUsage) }));
  setHandler(disconnectSignal, ({ reason }) => state.disconnect(reason));
  setHandler(reconnectedSignal, (grant) => state.reconnected(grant, () => patched(OTHER_ORG_PATCH)));
  // Recorded only; the write lane sends the follow-up in its next batch.
  setHandler(followupPostedSignal, ({ followupId }) => state.followupPosted(followupId));
  setHandler(writeBackWorkSignal, () => void (state.writeBackWake = true));
  // Signals: kept for workflows already running and for older clients.
  setHandler(pauseSignal, () => void state.pause());
  setHandler(resumeSignal, () => void state.resume());
  setHandler(resyncSignal, () => void state.resync());

  const validator = () => {
    if (state.ended) throw new Error(`The connection is ending: ${state.disconnectReason}`);
  };
  /** Until the lane acted on command `seq` (or the connection ended); `alsoWhen` ends the wait early. */
  const answerOnceActedOn = async (seq: number | undefined, alsoWhen: () => boolean = () => false): Promise<ConnectionStatus> => {
    if (seq !== undefined) await condition(() => state.hasActedOn(seq) || state.ended || alsoWhen());
    return state.status;
  };
  setHandler(pauseUpdate, () => answerOnceActedOn(state.parked ? undefined : state.pause()), { validator });
  setHandler(resumeUpdate, () => answerOnceActedOn(state.resume()), { validator });
  // While paused the re-read waits for resume: answer at once with the paused status.
  setHandler(resyncUpdate, () => answerOnceActedOn(state.resync(), () => state.parked), { validator });
  registerQuotaHandlers(state, validator);
}

/**
 * Schedule and allocation take effect at once: they are state the read lane consults before every
 * heavy page, and a wait for a window or budget is woken to look again.
 */
function registerQuotaHandlers(state: ConnectionState, ended: () => void): void {
  setHandler(
    scheduleUpdate,
    ({ window }) => {
      state.quota.window = window;
      state.wake = true;
      state.refreshQuotaStatus(Date.now());
      return state.status;
    },
    {
      validator: ({ window }) => {
        ended();
        const problem = window && windowProblem(window);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(
    allocationUpdate,
    (allocation) => {
      state.quota.allocation = { ...allocation };
      state.wake = true;
      state.refreshQuotaStatus(Date.now());
      return state.status;
    },
    {
      validator: (allocation) => {
        ended();
        const problem = allocationProblem(allocation);
        if (problem) throw new Error(problem);
      },
    },
  );
}

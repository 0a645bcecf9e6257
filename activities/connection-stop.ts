import { Context, heartbeat } from '@temporalio/activity';
import { findCurrentAccessToken } from '../db/connections.js';
import type { Db } from '../db/connect.js';
import { ConnectionRevokedError } from '../salesforce/token-manager.js';

export interface PageStop {
  /** Aborted when the page must make no further Salesforce call; its reason is what the activity throws. */
  signal: AbortSignal;
  /** Looks at the connection row (called on every heartbeat tick). */
  check(): void;
  dispose(): void;
}

/**
 * A page stops calling Salesforce as soon as either Temporal cancels the activity (a disconnect: the
 * reason is a CancelledFailure, so the activity reports itself cancelled) or the connection row says
 * it ended (a disconnect whose cancellation has not reached this worker yet: ConnectionRevokedError).
 */
export function pageStop(db: Db, connectionId: string): PageStop {
  const { cancellationSignal } = Context.current();
  const controller = new AbortController();
  const onCancel = () => controller.abort(cancellationSignal.reason);
  if (cancellationSignal.aborted) onCancel();
  else cancellationSignal.addEventListener('abort', onCancel, { once: true });
  return {
    signal: controller.signal,
    check() {
      if (controller.signal.aborted) return;
      findCurrentAccessToken(db, connectionId).then(
        (row) => {
          if (!row || row.status !== 'active') controller.abort(new ConnectionRevokedError(connectionId, row?.status_reason ?? 'not connected'));
        },
        () => undefined, // a database hiccup: the next tick looks again
      );
    },
    dispose() {
      cancellationSignal.removeEventListener('abort', onCancel);
    },
  };
}

/**
 * Runs a connection's activity work with a heartbeat every `everyMs`: each beat tells Temporal the
 * worker is alive and brings back a cancellation, and looks at the connection row (see pageStop).
 */
export async function whileHeartbeating<T>(db: Db, connectionId: string, everyMs: number, work: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const stop = pageStop(db, connectionId);
  const beat = setInterval(() => {
    heartbeat();
    stop.check();
  }, everyMs);
  try {
    heartbeat();
    return await work(stop.signal);
  } finally {
    clearInterval(beat);
    stop.dispose();
  }
}

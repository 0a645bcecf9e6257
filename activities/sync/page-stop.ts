import { Context } from '@temporalio/activity';
import { findCurrentAccessToken } from '../../db/connections.js';
import type { Db } from '../../db/connect.js';
import { ConnectionRevokedError } from '../../salesforce/token-manager.js';

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

import { resetCursorsForResync } from '../../db/cursors.js';
import type { ActivityDependencies } from '../dependencies.js';

export function createSyncControlActivities({ db }: ActivityDependencies) {
  return {
    /** Support's resync: the next cycle re-plans and re-reads every object from the start; FastFollow data stays. */
    async resetSyncCursors({ connectionId }: { connectionId: string }): Promise<void> {
      await resetCursorsForResync(db, connectionId);
    },
  };
}

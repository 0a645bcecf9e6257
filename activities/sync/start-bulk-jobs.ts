import { log } from '@temporalio/activity';
import type jsforce from 'jsforce';
import type { Db } from '../../db/connect.js';
import { advanceCursor, loadOrCreateCursor } from '../../db/cursors.js';
import { bulkJobRefused } from '../../db/cursor-transitions.js';
import { normaliseErrorCode } from '../../domain/error-explanations.js';
import { SYNCED_OBJECTS } from '../../domain/synced-objects.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import type { CountCall } from './fetched-page.js';
import { CONNECTION_LEVEL } from './plan-initial-reads.js';
import { startBulkJob } from './read-bulk-chunk.js';

/**
 * Right after the plan: a query job for every object read through Bulk, all at once. Salesforce
 * processes them in parallel, so an object's job is (nearly) done by the time the objects before it are
 * read, instead of each job starting only when its turn comes. Same calls as one job per turn.
 *
 * A refusal that concerns the whole connection (quota, grant, session) fails the page as any call
 * would; any other (this object may not be read through Bulk) is left for the object's own turn,
 * which meets it again and reports it for that object.
 */
export async function startBulkJobsTogether(conn: jsforce.Connection, db: Db, connectionId: string, countCall: CountCall): Promise<void> {
  for (const object of SYNCED_OBJECTS) {
    const cursor = await loadOrCreateCursor(db, { connectionId, object });
    if (cursor.method !== 'bulk' || cursor.bulk_job_id || cursor.bulk_job_requested_at || cursor.initial_done) continue;
    try {
      await startBulkJob(conn, db, cursor, countCall);
    } catch (error) {
      const code = salesforceErrorCode(error);
      if (!code || CONNECTION_LEVEL.has(normaliseErrorCode(code))) throw error;
      log.warn('Bulk job refused at plan time; the object asks again when its turn comes', { object, code });
      await advanceCursor(db, { connectionId, object }, bulkJobRefused());
    }
  }
}

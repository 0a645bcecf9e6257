import type jsforce from 'jsforce';
import type { Db } from '../../db/connect.js';
import { advanceCursor, type CursorRow } from '../../db/cursors.js';
import { bulkJobCreated } from '../../db/cursor-transitions.js';
import type { SalesforceRecord } from '../../db/mirror.js';
import { BULK_PAGE_SIZE } from '../../domain/sync/plan.js';
import { initialQuery } from '../../domain/sync/soql.js';
import { createQueryJob, fetchResultsPage, waitForJob } from '../../salesforce/bulk-query.js';
import { SALESFORCE_API_VERSION } from '../../salesforce/client.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import type { CountCall, FetchedPage } from './fetched-page.js';

/** Bulk API 2.0: one results chunk of the object's query job (created on the first page). `stop` ends the polling (a disconnect). */
export async function readBulkChunk(conn: jsforce.Connection, db: Db, cursor: CursorRow, countCall: CountCall, stop?: AbortSignal): Promise<FetchedPage> {
  let jobId = cursor.bulk_job_id;
  if (!jobId) {
    countCall();
    jobId = await createQueryJob(conn, initialQuery(cursor.object));
    // Kept at once, so a crash before the first chunk is applied reuses this job instead of paying for another.
    await advanceCursor(db, { connectionId: cursor.connection_id, object: cursor.object }, bulkJobCreated(jobId));
  }
  if (!cursor.locator) await waitForJob(conn, jobId, { intervalMs: 500, onPoll: countCall, signal: stop });
  // The chunk size the read plan's API-call cost assumes.
  const request = { locator: cursor.locator, maxRecords: BULK_PAGE_SIZE };
  countCall();
  let chunk;
  try {
    chunk = await fetchResultsPage(conn, jobId, request);
  } catch (error) {
    if (salesforceErrorCode(error) !== 'INVALID_SESSION_ID') throw error;
    // The results request bypasses jsforce: a jsforce call refreshes the session, then retry once.
    countCall();
    await conn.request(`/services/data/v${SALESFORCE_API_VERSION}/jobs/query/${jobId}`);
    countCall();
    chunk = await fetchResultsPage(conn, jobId, request);
  }
  return { records: chunk.records as SalesforceRecord[], done: chunk.nextLocator === null, locator: chunk.nextLocator };
}

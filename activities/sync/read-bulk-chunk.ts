import { log } from '@temporalio/activity';
import type jsforce from 'jsforce';
import type { Db } from '../../db/connect.js';
import { advanceCursor, largestFinishedBulkJob, type CursorRow } from '../../db/cursors.js';
import { connectionUserId } from '../../db/connections.js';
import { bulkJobCreated, bulkJobFinished, bulkJobLost, bulkJobPolled, bulkJobRequested } from '../../db/cursor-transitions.js';
import type { SalesforceRecord } from '../../db/mirror.js';
import { BULK_FIRST_POLL_AGE_MS, BULK_JOBS_BEFORE_REST, BULK_PAGE_SIZE, nextBulkPollAgeMs, predictBulkProcessingMs } from '../../domain/sync/plan.js';
import { bulkInitialQuery } from '../../domain/sync/soql.js';
import { readFieldNames } from '../../db/field-mappings.js';
import { createQueryJob, fetchResults, isQueryJobGone, listQueryJobs, queryJobStatus, type BulkResultsChunk } from '../../salesforce/bulk-query.js';
import { SALESFORCE_API_VERSION } from '../../salesforce/client.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import type { CountCall, FetchedPage } from './fetched-page.js';

/**
 * Nothing to apply yet: the workflow waits `waitMs` (a durable timer) and calls again. The job's
 * id and poll count are in the cursor, so a worker restart meanwhile costs no new job.
 */
export interface BulkWait {
  waitMs: number;
}

/**
 * Bulk API 2.0, one step per activity: create the object's query job; or poll it once (not done yet:
 * wait and come back); or fetch its next results chunk. A job that failed, was aborted or is gone is
 * replaced (bulk-job-lost below) and the object read again.
 */
export async function readBulkChunk(conn: jsforce.Connection, db: Db, cursor: CursorRow, countCall: CountCall): Promise<FetchedPage | BulkWait> {
  const key = { connectionId: cursor.connection_id, object: cursor.object };
  const jobId = cursor.bulk_job_id;
  if (!jobId) {
    const orphan = cursor.bulk_job_requested_at ? await findOrphanJob(conn, db, cursor, countCall) : undefined;
    if (orphan) {
      log.info('Reusing the Bulk query job a stopped worker had asked for', { object: cursor.object, jobId: orphan });
      await advanceCursor(db, key, bulkJobCreated(orphan, new Date(cursor.bulk_job_requested_at!)));
      return { waitMs: 0 };
    }
    await startBulkJob(conn, db, cursor, countCall);
    return { waitMs: BULK_FIRST_POLL_AGE_MS };
  }
  try {
    if (!cursor.locator) {
      countCall();
      const job = await queryJobStatus(conn, jobId);
      if (job.state === 'Failed' || job.state === 'Aborted') {
        return await bulkJobLostStep(db, cursor, `${job.state.toLowerCase()} (${job.errorMessage ?? 'no reason given'})`);
      }
      if (job.state !== 'JobComplete') {
        await advanceCursor(db, key, bulkJobPolled(cursor.bulk_job_polls + 1));
        return await nextPollWait(db, cursor);
      }
      if (job.numberRecordsProcessed !== undefined && job.totalProcessingTime !== undefined) {
        await advanceCursor(db, key, bulkJobFinished(job.numberRecordsProcessed, job.totalProcessingTime));
      }
    }
    return await nextChunk(conn, jobId, cursor.locator, countCall);
  } catch (error) {
    if (!isQueryJobGone(error)) throw error;
    return bulkJobLostStep(db, cursor, 'no longer exists at Salesforce (its results are kept 7 days, or it was deleted)');
  }
}

/**
 * How long until the job's next status poll: due at ages from its creation (so the time each poll and
 * the work between them take pushes nothing back), or at the end predicted from the largest job this
 * connection saw Salesforce finish (its processing time per record × this job's planned records).
 */
export async function nextPollWait(db: Db, cursor: CursorRow): Promise<BulkWait> {
  const createdAt = new Date(cursor.bulk_job_created_at ?? cursor.updated_at).getTime();
  const ageMs = Math.max(0, Date.now() - createdAt);
  const predictedMs = predictBulkProcessingMs(cursor.planned_records ?? 0, await largestFinishedBulkJob(db, cursor.connection_id));
  return { waitMs: Math.round(nextBulkPollAgeMs(ageMs, predictedMs) - ageMs) };
}

/** Asks Salesforce for the object's query job and keeps its id on the cursor. */
export async function startBulkJob(conn: jsforce.Connection, db: Db, cursor: CursorRow, countCall: CountCall): Promise<string> {
  const key = { connectionId: cursor.connection_id, object: cursor.object };
  const soql = bulkInitialQuery(cursor.object, await readFieldNames(db, cursor.connection_id, cursor.object));
  await advanceCursor(db, key, bulkJobRequested(new Date()));
  countCall();
  const created = await createQueryJob(conn, soql);
  // Kept at once, so a crash before the first chunk is applied reuses this job instead of paying for another.
  await advanceCursor(db, key, bulkJobCreated(created, new Date()));
  return created;
}

/**
 * The results chunk at `locator` (null: the first) of a completed job, as a page whose rows arrive while
 * it downloads and is parsed (`arriving`): the apply writes its first slices meanwhile.
 */
export async function nextChunk(conn: jsforce.Connection, jobId: string, locator: string | null, countCall: CountCall): Promise<FetchedPage> {
  const chunk = await fetchChunk(conn, jobId, locator, countCall);
  return { records: chunk.rows as SalesforceRecord[], done: chunk.nextLocator === null, locator: chunk.nextLocator, arriving: chunk.arriving, taken: chunk.taken, cancel: chunk.cancel };
}

async function fetchChunk(conn: jsforce.Connection, jobId: string, locator: string | null, countCall: CountCall): Promise<BulkResultsChunk> {
  // The chunk size the read plan's API-call cost assumes.
  const request = { locator, maxRecords: BULK_PAGE_SIZE };
  countCall();
  try {
    return await fetchResults(conn, jobId, request);
  } catch (error) {
    if (salesforceErrorCode(error) !== 'INVALID_SESSION_ID') throw error;
    // The results request bypasses jsforce: a jsforce call refreshes the session, then retry once.
    countCall();
    await conn.request(`/services/data/v${SALESFORCE_API_VERSION}/jobs/query/${jobId}`);
    countCall();
    return fetchResults(conn, jobId, request);
  }
}

/** How far back (Salesforce's clock against ours) a job asked for by a stopped worker may have been created. */
const ORPHAN_CLOCK_SKEW_MS = 60_000;
const ORPHAN_LIST_PAGES = 3;

/**
 * A worker stopped after asking Salesforce for this read's job and before keeping its id: the job
 * exists (Salesforce got the request) and costs nothing more to use. Ours is the newest usable query
 * job on this object by the connection's user since the request; none found → a new job as usual.
 */
async function findOrphanJob(conn: jsforce.Connection, db: Db, cursor: CursorRow, countCall: CountCall): Promise<string | undefined> {
  const since = new Date(cursor.bulk_job_requested_at!).getTime() - ORPHAN_CLOCK_SKEW_MS;
  const userId = await connectionUserId(db, cursor.connection_id);
  const jobs = await listQueryJobs(conn, ORPHAN_LIST_PAGES, countCall);
  const candidates = jobs.filter(
    (job) =>
      job.object === cursor.object &&
      job.operation === 'query' &&
      job.createdById === userId &&
      Date.parse(job.createdDate) >= since &&
      job.state !== 'Failed' &&
      job.state !== 'Aborted',
  );
  candidates.sort((a, b) => Date.parse(b.createdDate) - Date.parse(a.createdDate));
  return candidates[0]?.id;
}

/**
 * The job is lost: forget it and read the object again from its start — with a new job, or with REST
 * queries once BULK_JOBS_BEFORE_REST jobs of this read were lost (a query that keeps timing out as a
 * Bulk job). Why is kept on the cursor and logged. The next step follows at once.
 */
async function bulkJobLostStep(db: Db, cursor: CursorRow, what: string): Promise<BulkWait> {
  const fallBackToRest = cursor.bulk_jobs_lost + 1 >= BULK_JOBS_BEFORE_REST;
  const reason = `Bulk query job ${cursor.bulk_job_id} ${what}; reading ${cursor.object} again ${fallBackToRest ? 'with REST queries' : 'with a new job'}`;
  log.warn(reason, { object: cursor.object, bulkJobsLost: cursor.bulk_jobs_lost + 1 });
  await advanceCursor(db, { connectionId: cursor.connection_id, object: cursor.object }, bulkJobLost(cursor, reason, fallBackToRest, new Date()));
  return { waitMs: 0 };
}

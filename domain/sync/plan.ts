// REST query vs Bulk API 2.0 for a read of known size (Bulk only when it saves API calls).
// The costs are exported so the benchmark can compare the calls a sync made with the minimum.

/** REST query page size: Salesforce's default and maximum batchSize. */
export const REST_PAGE_SIZE = 2000;
/** Records fetched per Bulk API 2.0 results call (maxRecords). */
export const BULK_PAGE_SIZE = 50_000;
/** The first status poll of a Bulk job comes this long after it was created… */
export const BULK_FIRST_POLL_DELAY_MS = 1_000;
/** …and each next one twice as long after the previous, up to this. */
export const BULK_MAX_POLL_DELAY_MS = 30_000;
/**
 * How long the plan assumes a Bulk query job processes: a fixed part plus a part per 1,000 records
 * (Salesforce documents no rate; large orgs see minutes for millions of rows). Only the cost estimate
 * uses it: the sync polls until the job is done, however long that takes.
 */
export const BULK_ASSUMED_PROCESSING_MS = 5_000;
export const BULK_ASSUMED_MS_PER_THOUSAND = 100;
/** Bulk jobs of one initial read that may fail, abort or vanish before the read goes on with REST queries. */
export const BULK_JOBS_BEFORE_REST = 2;
/** Below this many records REST is used even if Bulk would be cheaper (Heroku Connect's switch point). */
export const BULK_MIN_RECORDS = 10_000;

function requireCount(name: string, n: number, min: number): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${n}`);
}

/** API calls for a REST read: one per page, and one even when there is nothing to return. */
export function restApiCalls(recordCount: number, pageSize = REST_PAGE_SIZE): number {
  requireCount('recordCount', recordCount, 0);
  requireCount('pageSize', pageSize, 1);
  return Math.max(1, Math.ceil(recordCount / pageSize));
}

/** The wait before status poll number `pollsSoFar + 1` of a Bulk job: doubling from 1 s, at most 30 s. */
export function bulkPollDelayMs(pollsSoFar: number): number {
  requireCount('pollsSoFar', pollsSoFar, 0);
  return Math.min(BULK_MAX_POLL_DELAY_MS, BULK_FIRST_POLL_DELAY_MS * 2 ** Math.min(pollsSoFar, 30));
}

/** Status polls the backoff makes for a job that processes `processingMs` (the last one sees JobComplete). */
export function bulkPollsFor(processingMs: number): number {
  if (!Number.isFinite(processingMs) || processingMs < 0) throw new RangeError(`processingMs must be a non-negative number, got ${processingMs}`);
  // Poll n comes at d(0) + … + d(n − 1) after the job was created.
  let polls = 1;
  for (let at = bulkPollDelayMs(0); at < processingMs; polls++) at += bulkPollDelayMs(polls);
  return polls;
}

/** Status polls the plan expects for a job over this many records (its assumed processing time). */
export function expectedBulkPolls(recordCount: number): number {
  requireCount('recordCount', recordCount, 0);
  return bulkPollsFor(BULK_ASSUMED_PROCESSING_MS + (recordCount / 1000) * BULK_ASSUMED_MS_PER_THOUSAND);
}

/** API calls for a Bulk API 2.0 read: create the job, poll it, fetch each result page (at least one). */
export function bulkApiCalls(recordCount: number, bulkPageSize = BULK_PAGE_SIZE, polls = expectedBulkPolls(recordCount)): number {
  requireCount('recordCount', recordCount, 0);
  requireCount('bulkPageSize', bulkPageSize, 1);
  requireCount('polls', polls, 0);
  return 1 + polls + Math.max(1, Math.ceil(recordCount / bulkPageSize));
}

/** The fewest API calls either method needs: the benchmark's yardstick. */
export function minimumApiCalls(recordCount: number, pageSize = REST_PAGE_SIZE, bulkPageSize = BULK_PAGE_SIZE): number {
  return Math.min(restApiCalls(recordCount, pageSize), bulkApiCalls(recordCount, bulkPageSize));
}

export interface ReadPlan {
  method: 'rest' | 'bulk';
  expectedApiCalls: number;
}

export interface ReadPlanInput {
  recordCount: number;
  /** Bulk only from this many records (default BULK_MIN_RECORDS). */
  minBulkRecords?: number;
  pageSize?: number;
  bulkPageSize?: number;
}

/** Bulk when it costs fewer calls and the read has at least BULK_MIN_RECORDS records; REST otherwise. */
export function chooseReadMethod({ recordCount, minBulkRecords = BULK_MIN_RECORDS, pageSize = REST_PAGE_SIZE, bulkPageSize = BULK_PAGE_SIZE }: ReadPlanInput): ReadPlan {
  const rest = restApiCalls(recordCount, pageSize);
  const bulk = bulkApiCalls(recordCount, bulkPageSize);
  if (recordCount >= minBulkRecords && bulk < rest) return { method: 'bulk', expectedApiCalls: bulk };
  return { method: 'rest', expectedApiCalls: rest };
}

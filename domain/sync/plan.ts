// REST query vs Bulk API 2.0 for a read of known size (Bulk only when it saves API calls).
// The costs are exported so the benchmark can compare the calls a sync made with the minimum.

/** REST query page size: Salesforce's default and maximum batchSize. */
export const REST_PAGE_SIZE = 2000;
/** Records fetched per Bulk API 2.0 results call (maxRecords). */
export const BULK_PAGE_SIZE = 50_000;
/** Status polls assumed per Bulk job (GET /jobs/query/{id} until JobComplete). */
export const BULK_ASSUMED_POLLS = 2;
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

/** API calls for a Bulk API 2.0 read: create the job, poll it, fetch each result page (at least one). */
export function bulkApiCalls(recordCount: number, bulkPageSize = BULK_PAGE_SIZE, polls = BULK_ASSUMED_POLLS): number {
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

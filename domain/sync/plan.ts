// REST query vs Bulk API 2.0 for a read of known size (Bulk only when it saves API calls).
// The costs are exported so the benchmark can compare the calls a sync made with the minimum.

/** REST query page size: Salesforce's default and maximum batchSize. */
export const REST_PAGE_SIZE = 2000;
/** Records fetched per Bulk API 2.0 results call (maxRecords). */
export const BULK_PAGE_SIZE = 50_000;
/** A Bulk job's first status poll comes when it is this old (measured from when it was created)… */
export const BULK_FIRST_POLL_AGE_MS = 2_000;
/** …each next one when its age has doubled, but never more than this after the previous one… */
export const BULK_MAX_POLL_DELAY_MS = 30_000;
/** …and never less than this after the previous one (a timer shorter than this costs as much). */
export const BULK_MIN_POLL_DELAY_MS = 1_000;
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

function requireMs(name: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a non-negative number, got ${ms}`);
}

/** API calls for a REST read: one per page, and one even when there is nothing to return. */
export function restApiCalls(recordCount: number, pageSize = REST_PAGE_SIZE): number {
  requireCount('recordCount', recordCount, 0);
  requireCount('pageSize', pageSize, 1);
  return Math.max(1, Math.ceil(recordCount / pageSize));
}

/**
 * The ages (ms since the job was created) at which a job's status polls are due when nothing predicts
 * its end: 2, 4, 8, 16, 32 s, then every 30 s. Anchored on the job's age, so the latency of each poll
 * and the work done between polls do not push the later ones back.
 */
export function* bulkPollAgesMs(): Generator<number> {
  for (let age = BULK_FIRST_POLL_AGE_MS; ; age += Math.min(age, BULK_MAX_POLL_DELAY_MS)) yield age;
}

/** The first age of that schedule at least BULK_MIN_POLL_DELAY_MS past `ageMs`. */
export function nextScheduledPollAgeMs(ageMs: number): number {
  requireMs('ageMs', ageMs);
  for (const age of bulkPollAgesMs()) if (age >= ageMs + BULK_MIN_POLL_DELAY_MS) return age;
  throw new Error('unreachable: the schedule is endless');
}

/** A job of this org that Salesforce finished: its records and totalProcessingTime. */
export interface CompletedBulkJob {
  records: number;
  processingMs: number;
}

/**
 * When a job over `records` rows should be done, at the rate a finished job of the same org showed
 * (its totalProcessingTime per record); undefined without a usable sample. The largest sample is the
 * best: a job's fixed costs weigh least there.
 */
export function predictBulkProcessingMs(records: number, sample: CompletedBulkJob | undefined): number | undefined {
  requireCount('records', records, 0);
  if (!sample || sample.records <= 0 || !(sample.processingMs > 0)) return undefined;
  return Math.round((records * sample.processingMs) / sample.records);
}

/**
 * The age at which to poll a job that answered InProgress at `ageMs`: the schedule's next poll, or the
 * job's predicted end if that comes first (so a prediction never delays a poll, it brings the one that
 * sees the job done forward). Once the prediction has passed (the job is slower than its sample), in
 * steps of a quarter of the age (1–30 s) up to twice the prediction, when it no longer counts (a step
 * past it comes no later than the schedule's).
 */
export function nextBulkPollAgeMs(ageMs: number, predictedMs?: number): number {
  requireMs('ageMs', ageMs);
  const clampDelay = (ms: number) => Math.min(BULK_MAX_POLL_DELAY_MS, Math.max(BULK_MIN_POLL_DELAY_MS, ms));
  if (predictedMs === undefined || ageMs >= 2 * predictedMs) return nextScheduledPollAgeMs(ageMs);
  if (predictedMs > ageMs) return Math.min(nextScheduledPollAgeMs(ageMs), Math.max(predictedMs, ageMs + BULK_MIN_POLL_DELAY_MS));
  const overdue = Math.round(ageMs + clampDelay(ageMs / 4));
  return overdue > 2 * predictedMs ? Math.min(overdue, nextScheduledPollAgeMs(ageMs)) : overdue;
}

/** Status polls the schedule makes for a job that processes `processingMs` (the last one sees JobComplete). */
export function bulkPollsFor(processingMs: number): number {
  requireMs('processingMs', processingMs);
  let polls = 1;
  for (const age of bulkPollAgesMs()) {
    if (age >= processingMs) return polls;
    polls++;
  }
  throw new Error('unreachable: the schedule is endless');
}

/**
 * Status polls the plan expects for a job over this many records (its assumed processing time, on the
 * schedule; once another job of the read has finished, its prediction usually saves some).
 */
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

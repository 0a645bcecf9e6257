import type jsforce from 'jsforce';
import { SALESFORCE_API_VERSION } from './client.js';
import { salesforceHttpTimeoutMs } from './http-timeout.js';
import { ParseAhead, parseResultsStream, type Row } from './bulk-results-csv.js';


const base = `/services/data/v${SALESFORCE_API_VERSION}/jobs/query`;

class BulkJobError extends Error {
  constructor(
    message: string,
    readonly errorCode: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = errorCode;
  }
}

/**
 * Bulk API 2.0 query, driven directly: jsforce's bulk2.query feeds every result page to a single
 * CSV parser and breaks on the second page, so we fetch each page (Sforce-Locator) ourselves.
 * Every request is one API call; the caller counts them.
 */
export async function createQueryJob(conn: jsforce.Connection, soql: string): Promise<string> {
  const job = await conn.request<{ id: string }>({
    method: 'POST',
    url: base,
    body: JSON.stringify({ operation: 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' }),
    headers: { 'content-type': 'application/json' },
  });
  return job.id;
}

/** A query job as Salesforce lists it (GET /jobs/query): no query text, so callers match on the rest. */
export interface QueryJobSummary {
  id: string;
  operation: string;
  object: string;
  createdById: string;
  createdDate: string;
  state: QueryJobStatus['state'];
}

/**
 * The org's Bulk query jobs, following `nextRecordsUrl` for at most `maxPages` pages. Every page is
 * one API call: `beforeEachPage` is called first so the caller can count (or stop) it.
 */
export async function listQueryJobs(conn: jsforce.Connection, maxPages: number, beforeEachPage: () => void): Promise<QueryJobSummary[]> {
  const jobs: QueryJobSummary[] = [];
  let url: string | null = `${base}?jobType=V2Query`;
  for (let page = 0; url && page < maxPages; page++) {
    beforeEachPage();
    const answer: { records: QueryJobSummary[]; nextRecordsUrl?: string | null } = await conn.request(url);
    jobs.push(...answer.records);
    url = answer.nextRecordsUrl ?? null;
  }
  return jobs;
}

/** Where a Bulk query job is: UploadComplete/InProgress (processing), JobComplete, Failed or Aborted. */
export interface QueryJobStatus {
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  errorMessage?: string;
  /** Records the job processed and milliseconds it took (documented figures; taken from a finished job). */
  numberRecordsProcessed?: number;
  totalProcessingTime?: number;
}

/**
 * One status poll (one API call). The caller decides when to poll again: the sync returns to its
 * workflow and waits on a durable timer, so a job of many minutes holds no activity open.
 */
export async function queryJobStatus(conn: jsforce.Connection, jobId: string): Promise<QueryJobStatus> {
  const job = await conn.request<QueryJobStatus>(`${base}/${encodeURIComponent(jobId)}`);
  const figures = {
    ...(typeof job.numberRecordsProcessed === 'number' ? { numberRecordsProcessed: job.numberRecordsProcessed } : {}),
    ...(typeof job.totalProcessingTime === 'number' ? { totalProcessingTime: job.totalProcessingTime } : {}),
  };
  return { state: job.state, ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}), ...figures };
}

/**
 * True when Salesforce no longer knows the job: its results were deleted (kept 7 days) or someone
 * deleted it. Salesforce answers 404 NOT_FOUND for the job and its results alike.
 */
export function isQueryJobGone(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { errorCode, statusCode } = error as Error & { errorCode?: unknown; statusCode?: unknown };
  return errorCode === 'NOT_FOUND' || errorCode === 'HTTP_404' || statusCode === 404;
}

export interface BulkResultsPage {
  records: Array<Record<string, string>>;
  /** Next page's locator, or null when this was the last. */
  nextLocator: string | null;
}

export interface ResultsPageRequest {
  /** The previous page's nextLocator; null for the first page. */
  locator: string | null;
  /** Records per page: the caller's choice (its cost model decides it), not the client's. */
  maxRecords: number;
}

/** One chunk of results, every row parsed. */
export async function fetchResultsPage(conn: jsforce.Connection, jobId: string, request: ResultsPageRequest): Promise<BulkResultsPage> {
  const chunk = await fetchResults(conn, jobId, request);
  chunk.taken(Number.POSITIVE_INFINITY);
  await chunk.arriving;
  return { records: chunk.rows, nextLocator: chunk.nextLocator };
}

/** One chunk of results as it arrives: its locator at once, its rows pushed onto `rows` as they are parsed. */
export interface BulkResultsChunk {
  rows: Row[];
  nextLocator: string | null;
  /** The reader took the rows up to `count`: the parse runs at most PARSE_LOOKAHEAD_ROWS ahead of that. */
  taken(count: number): void;
  /** Its rows will not be used: the download stops (`arriving` rejects) instead of waiting for a reader. */
  cancel(): void;
  /** Settles once every row is in; rejects on malformed CSV or a body cut short (the chunk fails whole). */
  arriving: Promise<void>;
}

/** One chunk of results, its rows parsed while it downloads. Uses the connection's current access token (refreshed by the calls before it). */
export async function fetchResults(conn: jsforce.Connection, jobId: string, { locator, maxRecords }: ResultsPageRequest): Promise<BulkResultsChunk> {
  const url = new URL(`${conn.instanceUrl}${base}/${jobId}/results`);
  url.searchParams.set('maxRecords', String(maxRecords));
  if (locator) url.searchParams.set('locator', locator);
  // Bounded like every jsforce call: a hanging page must not hold the activity for jsforce's 30 minutes.
  // Cancelled when its rows will not be used (the download may be waiting on the reader meanwhile).
  const cancelled = new AbortController();
  const signal = AbortSignal.any([cancelled.signal, AbortSignal.timeout(salesforceHttpTimeoutMs())]);
  const response = await fetch(url, { headers: { authorization: `Bearer ${conn.accessToken}`, accept: 'text/csv' }, signal });
  if (!response.ok || !response.body) {
    const body = await response.text();
    let errorCode = `HTTP_${response.status}`;
    let message = body.slice(0, 300);
    try {
      const parsed = JSON.parse(body) as Array<{ errorCode?: string; message?: string }>;
      errorCode = parsed[0]?.errorCode ?? errorCode;
      message = parsed[0]?.message ?? message;
    } catch {
      // not JSON: keep the status
    }
    throw new BulkJobError(message, errorCode, response.status);
  }
  const next = response.headers.get('sforce-locator');
  const rows: Row[] = [];
  const ahead = new ParseAhead(rows, signal);
  const arriving = parseResultsStream(response.body, rows, () => ahead.hold())
    .then(() => undefined)
    .finally(() => ahead.done());
  arriving.catch(() => undefined); // awaited by whoever takes the chunk
  return { rows, nextLocator: next && next !== 'null' ? next : null, arriving, taken: (count) => ahead.taken(count), cancel: () => cancelled.abort() };
}

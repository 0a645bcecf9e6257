// Bulk API 2.0 query jobs: create, poll, page through CSV results with Sforce-Locator, abort, delete.
// The query runs when the job is created (the emulator is fast enough); the job still reports
// UploadComplete first, as Salesforce does, and JobComplete from the first poll on — unless the org
// says otherwise (PATCH /__emulator/orgs/:id): a processing time per 1,000 records on the org clock,
// jobs that end Failed or Aborted after N status polls, and results deleted after N org-clock days.
import { Hono } from 'hono';
import { sfDateTime } from '../clock.js';
import { KEY_PREFIXES } from '../ids.js';
import type { CompiledQuery, SoqlDataSource, SoqlRow } from '../soql/index.js';
import type { EmulatorState, Org } from '../store.js';
import { dataSource } from '../view.js';
import type { ApiEnv } from './context.js';
import { jsonBody, SfError } from './errors.js';
import { compileForCaller, runQuery } from './query.js';

const DELIMITERS = { COMMA: ',', TAB: '\t', PIPE: '|', SEMICOLON: ';', CARET: '^', BACKQUOTE: '`' } as const;
type Delimiter = keyof typeof DELIMITERS;
/** Without maxRecords Salesforce picks a page size by bytes; a fixed row count is close enough. */
const DEFAULT_PAGE = 50_000;
/** Result rows written to the response at a time. */
const ROWS_PER_WRITE = 1_000;

interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  query: string;
  createdById: string;
  createdDate: string;
  systemModstamp: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  polled: boolean;
  lineEnding: 'LF' | 'CRLF';
  columnDelimiter: Delimiter;
  apiVersion: string;
  compiled: CompiledQuery;
  rows: SoqlRow[];
  /** The results file's lines (no line ending), in row order: written while the job processes, the rest on download. */
  lines: string[];
  processingMs: number;
  /** Wall-clock time the job is done processing (the org's bulkJobProcessingMs fault delays it). */
  readyAt: number;
  /** Org-clock time the job is done processing (bulkProcessingMsPerThousand × records). */
  readyAtOrgMs: number;
  createdOrgMs: number;
  createdWallMs: number;
  /** How the job ends, fixed when it is created (the org's bulkJobOutcome then). */
  outcome: 'complete' | 'failed' | 'aborted';
  failAfterPolls: number;
  statusPolls: number;
}

const DAY_MS = 86_400_000;

/** UploadComplete → InProgress → JobComplete (or Failed/Aborted): decided on status polls and result requests. */
function advance(job: QueryJob, org: Org, statusPoll: boolean): void {
  if (job.state !== 'UploadComplete' && job.state !== 'InProgress') return;
  if (statusPoll) job.statusPolls++;
  if (job.outcome !== 'complete') {
    if (job.statusPolls > job.failAfterPolls) job.state = job.outcome === 'failed' ? 'Failed' : 'Aborted';
    else if (statusPoll) job.state = 'InProgress';
    return;
  }
  job.state = Date.now() >= job.readyAt && org.now() >= job.readyAtOrgMs ? 'JobComplete' : 'InProgress';
}

const jobsByOrg = new WeakMap<Org, Map<string, QueryJob>>();
function jobs(org: Org): Map<string, QueryJob> {
  let m = jobsByOrg.get(org);
  if (!m) jobsByOrg.set(org, (m = new Map()));
  return m;
}

function jobInfo(job: QueryJob, full: boolean) {
  const base = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: sfDateTime(job.createdDate),
    systemModstamp: sfDateTime(job.systemModstamp),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
  if (!full) return base;
  return {
    ...base,
    jobType: 'V2Query',
    numberRecordsProcessed: job.state === 'JobComplete' ? job.rows.length : 0,
    retries: 0,
    totalProcessingTime: job.state === 'JobComplete' ? processingTime(job) : 0,
    isPkChunkingSupported: true,
    ...(job.state === 'Failed' ? { errorMessage: 'QUERY_TIMEOUT: Your query request was running for too long.' } : {}),
  };
}

/** What the job took: the query itself, or the processing time the org's settings and faults make it wait (the longer). */
function processingTime(job: QueryJob): number {
  return Math.round(Math.max(job.processingMs, job.readyAt - job.createdWallMs, job.readyAtOrgMs - job.createdOrgMs));
}

function csvCell(value: string): string {
  return `"${value.includes('"') ? value.replace(/"/g, '""') : value}"`;
}

/** Writes the job's result lines up to row `until` (those not written yet). */
function writeLines(job: QueryJob, source: SoqlDataSource, until: number): void {
  const sep = DELIMITERS[job.columnDelimiter];
  for (let next = job.lines.length; next < until; next++) job.lines.push(job.compiled.toCsvValues(job.rows[next]!, source).map(csvCell).join(sep));
}

/**
 * A job that takes processing time (the org's settings or faults) writes its results file meanwhile, as
 * Salesforce does, a thousand rows per turn of the event loop; one that completes at once (the emulator's
 * fast default) writes it as it is downloaded. Values are read when the line is written.
 */
function writeWhileProcessing(job: QueryJob, org: Org): void {
  if (job.readyAt <= Date.now() && job.readyAtOrgMs <= org.now()) return;
  const step = () => {
    if (jobs(org).get(job.id) !== job || job.state === 'Aborted' || job.lines.length >= job.rows.length) return;
    writeLines(job, dataSource(org), Math.min(job.rows.length, job.lines.length + ROWS_PER_WRITE));
    setImmediate(step);
  };
  setImmediate(step);
}

export function bulkRoutes(state: EmulatorState): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  /** A job past the org's retention (org clock) is gone, results and all: 404 like a job that never was. */
  function findJob(org: Org, id: string): QueryJob {
    const job = jobs(org).get(id);
    const retentionDays = org.settings.bulkJobRetentionDays;
    if (job && retentionDays !== undefined && org.now() - job.createdOrgMs >= retentionDays * DAY_MS) jobs(org).delete(id);
    else if (job) return job;
    throw new SfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  app.post('/jobs/query', async (c) => {
    const caller = c.get('caller');
    const body = await jsonBody<{ operation?: string; query?: string; lineEnding?: string; columnDelimiter?: string; contentType?: string }>(c);
    if (body?.operation !== 'query' && body?.operation !== 'queryAll') {
      throw new SfError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(body?.operation)}`);
    }
    if (!body.query) throw new SfError(400, 'INVALIDJOB', 'InvalidJob : query is required');
    const lineEnding = body.lineEnding ?? 'LF';
    const columnDelimiter = body.columnDelimiter ?? 'COMMA';
    if (lineEnding !== 'LF' && lineEnding !== 'CRLF') throw new SfError(400, 'INVALIDJOB', `InvalidJob : Invalid lineEnding: ${lineEnding}`);
    if (!(columnDelimiter in DELIMITERS)) throw new SfError(400, 'INVALIDJOB', `InvalidJob : Invalid columnDelimiter: ${columnDelimiter}`);
    if (body.contentType && body.contentType !== 'CSV') throw new SfError(400, 'INVALIDJOB', `InvalidJob : Invalid contentType: ${body.contentType}`);
    const compiled = compileForCaller(caller, body.query);
    if (compiled.isCount) throw new SfError(400, 'INVALIDJOB', 'InvalidJob : Aggregate queries are not supported by Bulk API 2.0');
    const started = Date.now();
    const rows = runQuery(caller, compiled, body.operation === 'queryAll');
    const orgNow = caller.org.now();
    const now = new Date(orgNow).toISOString();
    const settings = caller.org.settings;
    const job: QueryJob = {
      id: state.ids.next(KEY_PREFIXES.BulkJob),
      operation: body.operation,
      object: compiled.objectName,
      query: body.query,
      createdById: caller.user.id,
      createdDate: now,
      systemModstamp: now,
      state: 'UploadComplete',
      polled: false,
      lineEnding,
      columnDelimiter: columnDelimiter as Delimiter,
      apiVersion: c.get('apiVersion'),
      compiled,
      rows,
      lines: [],
      processingMs: Date.now() - started,
      readyAt: Date.now() + (caller.org.faults.settings.bulkJobProcessingMs ?? 0),
      readyAtOrgMs: orgNow + (rows.length / 1000) * (settings.bulkProcessingMsPerThousand ?? 0),
      createdOrgMs: orgNow,
      createdWallMs: started,
      outcome: settings.bulkJobOutcome ?? 'complete',
      failAfterPolls: settings.bulkJobFailAfterPolls ?? 0,
      statusPolls: 0,
    };
    jobs(caller.org).set(job.id, job);
    writeWhileProcessing(job, caller.org);
    return c.json(jobInfo(job, false));
  });

  app.get('/jobs/query', (c) => {
    const caller = c.get('caller');
    const records = [...jobs(caller.org).values()].map((j) => jobInfo(j, false));
    return c.json({ done: true, records, nextRecordsUrl: null });
  });

  app.get('/jobs/query/:id', (c) => {
    const org = c.get('caller').org;
    const job = findJob(org, c.req.param('id'));
    if (job.state === 'UploadComplete' || job.state === 'InProgress') {
      advance(job, org, true);
      job.systemModstamp = new Date(org.now()).toISOString();
    }
    return c.json(jobInfo(job, true));
  });

  app.patch('/jobs/query/:id', async (c) => {
    const job = findJob(c.get('caller').org, c.req.param('id'));
    const body = await jsonBody<{ state?: string }>(c);
    if (body?.state !== 'Aborted') throw new SfError(400, 'INVALIDJOB', 'InvalidJob : Only state Aborted can be set');
    if (job.state === 'JobComplete') throw new SfError(400, 'INVALIDJOB', 'InvalidJob : Job is already complete');
    job.state = 'Aborted';
    return c.json(jobInfo(job, false));
  });

  app.delete('/jobs/query/:id', (c) => {
    const org = c.get('caller').org;
    const job = findJob(org, c.req.param('id'));
    if (job.state !== 'JobComplete' && job.state !== 'Aborted' && job.state !== 'Failed') {
      throw new SfError(400, 'INVALIDJOB', 'InvalidJob : Job must be complete, aborted or failed to be deleted');
    }
    jobs(org).delete(job.id);
    return c.body(null, 204);
  });

  app.get('/jobs/query/:id/results', (c) => {
    const caller = c.get('caller');
    const job = findJob(caller.org, c.req.param('id'));
    advance(job, caller.org, false);
    if (job.state !== 'JobComplete') throw new SfError(400, 'INVALIDJOB', `InvalidJob : Job ${job.id} is not complete`);
    const locator = c.req.query('locator');
    let offset = 0;
    if (locator) {
      const decoded = Number(Buffer.from(locator, 'base64url').toString('utf8'));
      if (!Number.isInteger(decoded) || decoded < 0 || decoded > job.rows.length) throw new SfError(400, 'INVALIDLOCATOR', 'Invalid locator');
      offset = decoded;
    }
    const maxRecordsParam = c.req.query('maxRecords');
    const maxRecords = maxRecordsParam ? Number(maxRecordsParam) : DEFAULT_PAGE;
    if (!Number.isInteger(maxRecords) || maxRecords <= 0) throw new SfError(400, 'INVALIDJOB', 'InvalidJob : maxRecords must be a positive integer');
    const end = Math.min(job.rows.length, offset + maxRecords);
    const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const source = dataSource(caller.org);
    c.header('Sforce-Locator', end < job.rows.length ? Buffer.from(String(end)).toString('base64url') : 'null');
    c.header('Sforce-NumberOfRecords', String(end - offset));
    c.header('Content-Type', 'text/csv');
    // Sent as it is written (chunked), as Salesforce streams a results file: the client reads the first
    // rows while the rest are still coming.
    let next = offset;
    let header: string | null = job.compiled.columns.map(csvCell).join(DELIMITERS[job.columnDelimiter]) + eol;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const until = Math.min(end, next + ROWS_PER_WRITE);
        writeLines(job, source, until);
        const lines = job.lines.slice(next, until);
        next = until;
        controller.enqueue(encoder.encode((header ?? '') + (lines.length > 0 ? lines.join(eol) + eol : '')));
        header = null;
        if (next >= end) controller.close();
      },
    });
    return c.body(body, 200);
  });

  return app;
}

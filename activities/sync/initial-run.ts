import { heartbeat, log } from '@temporalio/activity';
import { loadOrCreateCursor, type CursorRow } from '../../db/cursors.js';
import { withSalesforce } from '../../salesforce/client.js';
import type { ActivityDependencies } from '../dependencies.js';
import { applyAndAdvance, startPreparing, type PagePreparation, type PageTarget } from './apply-and-advance.js';
import type { FetchedPage } from './fetched-page.js';
import type { NextRead } from './next-read.js';
import { nextChunk } from './read-bulk-chunk.js';
import { readRestContinuation } from './read-rest-page.js';
import type { SyncPageResult } from './sync-page.js';

/**
 * Pages one activity applies at most in an initial read; and no page is fetched after the run's time
 * (SYNC_INITIAL_RUN): commands (pause, resync, disconnect) and the quota and off-hours gates act
 * between activities, so a run stays short.
 */
const RUN_MAX_PAGES = 10;

type ApiUsage = { used: number; limit: number } | undefined;

/** What holds a run's first page once the run has taken it. */
export const NO_PAGE: FetchedPage = { records: [], done: true, locator: null };

export interface RunStart {
  page: FetchedPage;
  cursor: CursorRow;
  apiCalls: number;
  apiUsage: ApiUsage;
}

/** The run's counts, summed over its pages (as one page reports them), with the last usage reading. */
export type RunTotals = Pick<SyncPageResult, 'done' | 'fetched' | 'upserted' | 'deleted' | 'issues' | 'recordsSynced' | 'apiCalls'> & { apiUsage: ApiUsage };

/** A page fetched ahead, or why it could not be. */
type Ahead = { page: FetchedPage; apiUsage: ApiUsage } | { failed: unknown };
/** …with its slices' preparation begun (once the page before was prepared). */
type AheadPreparing = (Extract<Ahead, { page: FetchedPage }> & { preparation: PagePreparation }) | Extract<Ahead, { failed: unknown }>;

/**
 * An initial read's pages, one after another in this activity, each applied with its cursor in its own
 * transaction exactly as one page per activity would be (a crash re-reads at most the page in hand).
 * While a page is applied the next one is already being fetched by its locator, so Salesforce's answer
 * time (and the emulator's or the network's transfer) overlaps Postgres' work. A fetch that fails ends
 * the run after the page before it: the next activity reads that page again the usual way (and meets
 * the error there). A Bulk chunk whose download breaks off later fails its own page (rolled back) the
 * same way.
 */
export async function applyInitialRun(deps: ActivityDependencies, target: PageTarget, start: RunStart, read: NextRead, startedAt: Date, stop: AbortSignal): Promise<RunTotals> {
  const began = Date.now();
  const totals: RunTotals = { done: false, fetched: 0, upserted: 0, deleted: 0, issues: 0, recordsSynced: 0, apiCalls: start.apiCalls, apiUsage: start.apiUsage };
  const countCall = () => {
    stop.throwIfAborted();
    totals.apiCalls++;
  };
  let { page, cursor } = start;
  // Taken out of `start`: the first page's rows must not stay alive for the whole run (a 50,000-row chunk).
  start.page = NO_PAGE;
  let preparation = startPreparing(target.object, page);
  let pageRead = read;
  let pageStartedAt = startedAt;
  for (let pages = 1; ; pages++) {
    const more = !page.done && page.locator !== null && pages < RUN_MAX_PAGES && Date.now() - began < deps.sync.initialRunMs;
    const nextStartedAt = new Date();
    // Fetched while the current page is written: Salesforce's answer time overlaps Postgres' work. A Bulk
    // chunk's first rows are parsed meanwhile, the rest as its own slices need them (the parse keeps
    // PARSE_LOOKAHEAD_ROWS ahead of the reader; PARSE_AHEAD_OF_READER_ROWS until its turn), so the worker holds
    // the page in hand and a little more. Its first slices are prepared once this page's last one is (not
    // before: they would take the worker from this page's), so Postgres starts on it right after the commit.
    const fetching = more ? fetchAhead(deps, cursor, page.locator!, countCall) : undefined;
    const ahead = fetching?.then((next) => prepareOnceDue(next, target, preparation.prepared));
    let applied: Awaited<ReturnType<typeof applyAndAdvance>>;
    try {
      applied = await applyAndAdvance(deps.db, target, cursor, pageRead, page, pageStartedAt, preparation.slices);
    } catch (error) {
      // Neither page will be applied in this activity: their downloads must not wait for a reader.
      page.cancel?.();
      void fetching?.then(dropPage);
      throw error;
    }
    totals.fetched += page.records.length;
    totals.upserted += applied.upserted;
    totals.deleted += applied.deleted;
    totals.issues += applied.issues;
    totals.recordsSynced = applied.recordsSynced;
    totals.done = page.done;
    heartbeat();
    if (!ahead) return totals;
    const next = await ahead;
    if (stop.aborted) dropPage(next);
    stop.throwIfAborted();
    if ('failed' in next) {
      log.info('Fetching the next page ahead failed; the next activity reads it again', { object: target.object, error: next.failed instanceof Error ? next.failed.message : String(next.failed) });
      return totals;
    }
    page = next.page;
    preparation = next.preparation;
    totals.apiUsage = next.apiUsage ?? totals.apiUsage;
    // As this page's transaction left it (no read of its own per page).
    cursor = applied.cursor ?? (await loadOrCreateCursor(deps.db, { connectionId: target.connectionId, object: target.object }));
    pageRead = { ...read, continuing: true };
    pageStartedAt = nextStartedAt;
  }
}

/** A page fetched ahead, its first slices prepared as soon as it is here and `due` (the page before is prepared). */
async function prepareOnceDue(ahead: Ahead, target: PageTarget, due: Promise<void>): Promise<AheadPreparing> {
  if (!('page' in ahead)) return ahead;
  await due;
  return { ...ahead, preparation: startPreparing(target.object, ahead.page) };
}

/** A page fetched ahead that will not be applied: its download stops. */
function dropPage(ahead: Ahead): void {
  if ('page' in ahead) ahead.page.cancel?.();
}

/** The page at `locator` of the read `cursor` is in (Bulk results chunk or REST query page); never rejects. */
function fetchAhead(deps: ActivityDependencies, cursor: CursorRow, locator: string, countCall: () => void): Promise<Ahead> {
  return withSalesforce(deps.tokens, cursor.connection_id, async (conn) => {
    const fetched = (page: FetchedPage) => ({ page, apiUsage: conn.limitInfo?.apiUsage });
    if (cursor.method === 'bulk' && cursor.bulk_job_id) {
      // Its first rows are parsed while the page before is written; the rest as its own slices need them.
      return fetched(await nextChunk(conn, cursor.bulk_job_id, locator, countCall));
    }
    return fetched(await readRestContinuation(conn, locator, countCall));
  }).catch((failed: unknown) => ({ failed }));
}

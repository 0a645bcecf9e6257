import { heartbeat, log } from '@temporalio/activity';
import type jsforce from 'jsforce';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database, SalesforceSyncCursorsTable } from '../db/schema.js';
import { createQueryJob, fetchResultsPage, waitForJob } from '../salesforce/bulk-query.js';
import { SALESFORCE_API_VERSION, withSalesforce } from '../salesforce/client.js';
import { salesforceErrorCode } from '../salesforce/error-code.js';
import { toActivityFailure } from './failures.js';
import { applyPage, type ApplyResult, type SalesforceRecord } from '../db/mirror.js';
import { chooseReadMethod } from '../domain/sync/plan.js';
import { resumeQuery } from '../domain/sync/resume.js';
import { incrementalQuery, incrementalWindow, initialQuery, isEmptyWindow, parseSalesforceDateTime, type SyncWindow } from '../domain/sync/soql.js';
import { SYNCED_OBJECTS, type SyncedObject } from '../domain/synced-objects.js';
import type { ActivityDependencies } from './dependencies.js';

export interface SyncPageInput {
  connectionId: string;
  object: SyncedObject;
  mode: 'initial' | 'incremental';
  lookbackMs: number;
  safetyLagMs: number;
}

/** Counts only: record contents never enter Temporal history. */
export interface SyncPageResult {
  done: boolean;
  fetched: number;
  upserted: number;
  deleted: number;
  issues: number;
  /** Rows of this object mirrored in FastFollow now (after this page). */
  recordsSynced: number;
  apiCalls: number;
  apiUsage: { used: number; max: number } | null;
}

type Cursor = Selectable<SalesforceSyncCursorsTable>;

/** What one read returned, and where the next read starts. */
interface FetchedPage {
  records: SalesforceRecord[];
  done: boolean;
  locator: string | null;
}

/** Apply large (Bulk) pages in slices: keeps each statement well under Postgres' parameter limit. */
const APPLY_SLICE = 2_000;

export function createSyncActivities({ db, tokens, sync }: ActivityDependencies) {
  /** Loads (creating if needed) the object's cursor. */
  async function loadCursor(connectionId: string, object: SyncedObject): Promise<Cursor> {
    const read = () =>
      db.selectFrom('salesforce_sync_cursors').selectAll().where('connection_id', '=', connectionId).where('object', '=', object).executeTakeFirst();
    // One read per page; the insert happens once per connection and object.
    const existing = await read();
    if (existing) return existing;
    await db.insertInto('salesforce_sync_cursors').values({ connection_id: connectionId, object }).onConflict((oc) => oc.doNothing()).execute();
    return (await read())!;
  }

  /**
   * Chooses REST or Bulk API 2.0 for each object's initial read from the org's record counts:
   * one API call (limits/recordCount) for all three objects.
   */
  async function planInitialReads(conn: jsforce.Connection, connectionId: string): Promise<void> {
    const counts = await conn.request<{ sObjects: Array<{ name: string; count: number }> }>(
      `/services/data/v${SALESFORCE_API_VERSION}/limits/recordCount?sObjects=${SYNCED_OBJECTS.join(',')}`,
    );
    for (const object of SYNCED_OBJECTS) {
      const recordCount = counts.sObjects.find((entry) => entry.name === object)?.count ?? 0;
      const { method } = chooseReadMethod({ recordCount, minBulkRecords: sync.bulkMinRecords });
      await db.insertInto('salesforce_sync_cursors').values({ connection_id: connectionId, object }).onConflict((oc) => oc.doNothing()).execute();
      await db
        .updateTable('salesforce_sync_cursors')
        .set({ method, planned_records: recordCount })
        .where('connection_id', '=', connectionId)
        .where('object', '=', object)
        .where('method', 'is', null)
        .where('initial_done', '=', false)
        .execute();
    }
  }

  /** REST: the next page by query locator, else a fresh query (or a keyset resume when the locator is gone). */
  async function readRestPage(conn: jsforce.Connection, cursor: Cursor, mode: 'initial' | 'incremental', continuing: boolean, window: SyncWindow | undefined, countCall: () => void): Promise<FetchedPage> {
    type QueryPage = { records: SalesforceRecord[]; done: boolean; nextRecordsUrl?: string };
    let page: QueryPage | undefined;
    if (continuing && cursor.locator) {
      try {
        countCall();
        // The exact nextRecordsUrl Salesforce gave (a queryAll locator must stay on /queryAll).
        page = await conn.request<QueryPage>(cursor.locator);
      } catch (error) {
        if (salesforceErrorCode(error) !== 'INVALID_QUERY_LOCATOR') throw error;
        log.warn('Query locator expired; resuming after the last applied record', { object: cursor.object });
      }
    }
    if (!page) {
      const soql =
        continuing && cursor.last_id && cursor.last_modstamp
          ? resumeQuery(cursor.object, { modstamp: cursor.last_modstamp, id: cursor.last_id }, window)
          : mode === 'initial'
            ? initialQuery(cursor.object)
            : incrementalQuery(cursor.object, window!);
      countCall();
      // queryAll (scanAll) for incremental windows: deleted rows arrive with IsDeleted = true.
      page = (await conn.query(soql, { scanAll: mode === 'incremental', autoFetch: false })) as unknown as QueryPage;
    }
    return { records: page.records, done: page.done, locator: page.done ? null : (page.nextRecordsUrl ?? null) };
  }

  /** Bulk API 2.0: one results chunk of the object's query job (created on the first page). */
  async function readBulkChunk(conn: jsforce.Connection, cursor: Cursor, countCall: () => void): Promise<FetchedPage> {
    let jobId = cursor.bulk_job_id;
    if (!jobId) {
      countCall();
      jobId = await createQueryJob(conn, initialQuery(cursor.object));
      // Kept at once, so a crash before the first chunk is applied reuses this job instead of paying for another.
      await db.updateTable('salesforce_sync_cursors').set({ bulk_job_id: jobId, mode: 'initial' }).where('connection_id', '=', cursor.connection_id).where('object', '=', cursor.object).execute();
    }
    if (!cursor.locator) await waitForJob(conn, jobId, { intervalMs: 500, onPoll: countCall });
    countCall();
    let chunk;
    try {
      chunk = await fetchResultsPage(conn, jobId, cursor.locator);
    } catch (error) {
      if (salesforceErrorCode(error) !== 'INVALID_SESSION_ID') throw error;
      // The results request bypasses jsforce: a jsforce call refreshes the session, then retry once.
      countCall();
      await conn.request(`/services/data/v${SALESFORCE_API_VERSION}/jobs/query/${jobId}`);
      countCall();
      chunk = await fetchResultsPage(conn, jobId, cursor.locator);
    }
    return { records: chunk.records as SalesforceRecord[], done: chunk.nextLocator === null, locator: chunk.nextLocator };
  }

  async function syncOnePage(input: SyncPageInput): Promise<SyncPageResult> {
    const { connectionId, object, mode } = input;
    const connection = await db.selectFrom('salesforce_connections').select(['account_id']).where('id', '=', connectionId).executeTakeFirstOrThrow();
    let cursor = await loadCursor(connectionId, object);
    const idle = (done: boolean): SyncPageResult => ({ done, fetched: 0, upserted: 0, deleted: 0, issues: 0, recordsSynced: Number(cursor.records_synced), apiCalls: 0, apiUsage: null });
    if (mode === 'initial' && cursor.initial_done) return idle(true);

    // The incremental window is fixed when a cycle starts and kept in the cursor, so a retried page reads the same window.
    let window: SyncWindow | undefined;
    let newWindow = false;
    if (mode === 'incremental') {
      if (cursor.window_to) {
        window = { from: cursor.window_from?.toISOString() ?? null, to: cursor.window_to.toISOString() };
      } else {
        const watermark = cursor.watermark ?? cursor.initial_started_at;
        window = incrementalWindow({ watermark: watermark?.toISOString() ?? null, now: new Date(), lookbackMs: input.lookbackMs, safetyLagMs: input.safetyLagMs });
        if (isEmptyWindow(window)) return idle(true);
        newWindow = true;
      }
    }
    const continuing = cursor.mode === mode && !newWindow;
    const startedAt = new Date();

    let apiCalls = 0;
    const countCall = () => {
      apiCalls++;
    };
    const { page, apiUsage } = await withSalesforce(tokens, connectionId, async (conn) => {
      if (mode === 'initial' && !cursor.method) {
        countCall();
        await planInitialReads(conn, connectionId);
        cursor = await loadCursor(connectionId, object);
      }
      const fetched =
        mode === 'initial' && cursor.method === 'bulk'
          ? await readBulkChunk(conn, cursor, countCall)
          : await readRestPage(conn, cursor, mode, continuing, window, countCall);
      return { page: fetched, apiUsage: conn.limitInfo?.apiUsage };
    }).catch((error: unknown) => {
      // Typed by Salesforce error code (a revoked grant included) so the workflow decides.
      throw toActivityFailure(error);
    });
    heartbeat();

    const last = page.records.at(-1);
    const applied = await db.transaction().execute(async (trx) => {
      const result: ApplyResult = { upserted: 0, deleted: 0, mirroredDelta: 0, issues: [] };
      for (let start = 0; start < page.records.length; start += APPLY_SLICE) {
        const slice = await applyPage(trx, { accountId: connection.account_id, connectionId }, object, page.records.slice(start, start + APPLY_SLICE));
        result.upserted += slice.upserted;
        result.deleted += slice.deleted;
        result.mirroredDelta += slice.mirroredDelta;
        result.issues.push(...slice.issues);
      }
      const done = page.done;
      // Counted incrementally per page (a recount on millions of rows per page would dominate),
      // and exactly once a read completes, so edits made outside the sync cannot leave it drifting.
      const total = done ? await countMirrored(trx, connection.account_id, object) : Number(cursor.records_synced) + result.mirroredDelta;
      await trx
        .updateTable('salesforce_sync_cursors')
        .set({
          mode: done ? null : mode,
          locator: page.locator,
          last_modstamp: done || !last?.SystemModstamp ? null : parseSalesforceDateTime(last.SystemModstamp),
          last_id: done || !last ? null : String(last.Id),
          records_synced: total,
          updated_at: new Date(),
          ...(mode === 'initial'
            ? {
                // Changes made while the initial read runs are picked up by the first incremental window.
                initial_started_at: cursor.initial_started_at ?? startedAt,
                ...(done ? { initial_done: true, bulk_job_id: null, watermark: cursor.initial_started_at ?? startedAt, last_synced_at: new Date() } : {}),
              }
            : done
              ? { window_from: null, window_to: null, watermark: window!.to, last_synced_at: new Date() }
              : { window_from: window!.from, window_to: window!.to }),
        })
        .where('connection_id', '=', connectionId)
        .where('object', '=', object)
        .execute();
      return { ...result, total };
    });
    return {
      done: page.done,
      fetched: page.records.length,
      upserted: applied.upserted,
      deleted: applied.deleted,
      issues: applied.issues.length,
      recordsSynced: applied.total,
      apiCalls,
      apiUsage: apiUsage ? { used: apiUsage.used, max: apiUsage.limit } : null,
    };
  }

  return {
    /**
     * Reads one page of one object (initial read, or the current incremental window), applies it
     * and advances the cursor in the same transaction. Safe to retry at any point: a crash before
     * the commit re-reads the same page; after it, the next page.
     */
    async syncPage(input: SyncPageInput): Promise<SyncPageResult> {
      // Heartbeat throughout, so a dead worker's page is retried elsewhere within the heartbeat timeout.
      const beat = setInterval(() => heartbeat(), 3_000);
      try {
        heartbeat();
        return await syncOnePage(input);
      } finally {
        clearInterval(beat);
      }
    },
  };
}


/** How many rows of `object` FastFollow holds for the account: what status shows as the object's progress. */
async function countMirrored(trx: Transaction<Database>, accountId: string, object: SyncedObject): Promise<number> {
  const counted =
    object === 'Account'
      ? sql<{ count: string }>`select count(*) from salesforce_accounts where account_id = ${accountId}`
      : object === 'Contact'
        ? sql<{ count: string }>`select count(*) from contacts where account_id = ${accountId} and salesforce_contact_id is not null`
        : sql<{ count: string }>`select count(*) from deals where account_id = ${accountId} and salesforce_opportunity_id is not null`;
  const { rows } = await counted.execute(trx);
  return Number(rows[0]?.count ?? 0);
}

export function createSyncControlActivities({ db }: ActivityDependencies) {
  return {
    /** Support's resync: the next cycle re-plans and re-reads every object from the start; FastFollow data stays. */
    async resetSyncCursors({ connectionId }: { connectionId: string }): Promise<void> {
      await db
        .updateTable('salesforce_sync_cursors')
        .set({
          initial_done: false,
          initial_started_at: null,
          method: null,
          planned_records: null,
          bulk_job_id: null,
          mode: null,
          locator: null,
          last_modstamp: null,
          last_id: null,
          window_from: null,
          window_to: null,
          updated_at: new Date(),
        })
        .where('connection_id', '=', connectionId)
        .execute();
    },
  };
}

import { heartbeat, log } from '@temporalio/activity';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../lib/db/schema.js';
import { applyPage, type SalesforceRecord } from '../lib/sync/apply.js';
import { resumeQuery } from '../lib/sync/resume.js';
import { incrementalQuery, incrementalWindow, initialQuery, isEmptyWindow, parseSalesforceDateTime, type SyncedObject, type SyncWindow } from '../lib/sync/soql.js';
import { withSalesforce } from '../lib/salesforce/client.js';
import { salesforceErrorCode, toActivityFailure } from '../lib/salesforce/failures.js';
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

type QueryPage = { records: SalesforceRecord[]; done: boolean; nextRecordsUrl?: string };

export function createSyncActivities({ db, tokens }: ActivityDependencies) {
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

  async function syncOnePage(input: SyncPageInput): Promise<SyncPageResult> {
      heartbeat();
      const { connectionId, object, mode } = input;
      const connection = await db.selectFrom('salesforce_connections').select(['account_id']).where('id', '=', connectionId).executeTakeFirstOrThrow();
      await db.insertInto('salesforce_sync_cursors').values({ connection_id: connectionId, object }).onConflict((oc) => oc.doNothing()).execute();
      const cursor = await db
        .selectFrom('salesforce_sync_cursors')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('object', '=', object)
        .executeTakeFirstOrThrow();
      const idle = (done: boolean): SyncPageResult => ({
        done,
        fetched: 0,
        upserted: 0,
        deleted: 0,
        issues: 0,
        recordsSynced: Number(cursor.records_synced),
        apiCalls: 0,
        apiUsage: null,
      });
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
      const { page, apiUsage } = await withSalesforce(tokens, connectionId, async (conn) => {
        const read = async (): Promise<QueryPage> => {
          apiCalls++;
          if (continuing && cursor.locator) {
            try {
              return (await conn.queryMore(cursor.locator)) as unknown as QueryPage;
            } catch (error) {
              if (salesforceErrorCode(error) !== 'INVALID_QUERY_LOCATOR') throw error;
              log.warn('Query locator expired; resuming after the last applied record', { object });
              apiCalls++;
            }
          }
          const soql =
            continuing && cursor.last_id && cursor.last_modstamp
              ? resumeQuery(object, { modstamp: cursor.last_modstamp, id: cursor.last_id }, window)
              : mode === 'initial'
                ? initialQuery(object)
                : incrementalQuery(object, window!);
          // queryAll (scanAll) for incremental windows: deleted rows arrive with IsDeleted = true.
          return (await conn.query(soql, { scanAll: mode === 'incremental', autoFetch: false })) as unknown as QueryPage;
        };
        const result = await read();
        return { page: result, apiUsage: conn.limitInfo?.apiUsage };
      }).catch((error: unknown) => {
        // Typed by Salesforce error code (a revoked grant included) so the workflow decides.
        throw toActivityFailure(error);
      });
      heartbeat();

      const last = page.records.at(-1);
      const applied = await db.transaction().execute(async (trx) => {
        const result = await applyPage(trx, { accountId: connection.account_id, connectionId }, object, page.records);
        const done = page.done;
        const total = await countMirrored(trx, connection.account_id, object);
        await trx
          .updateTable('salesforce_sync_cursors')
          .set({
            mode: done ? null : mode,
            locator: done ? null : (page.nextRecordsUrl ?? null),
            last_modstamp: done || !last?.SystemModstamp ? null : parseSalesforceDateTime(last.SystemModstamp),
            last_id: done || !last ? null : String(last.Id),
            records_synced: total,
            updated_at: new Date(),
            ...(mode === 'initial'
              ? {
                  // Changes made while the initial read runs are picked up by the first incremental window.
                  initial_started_at: cursor.initial_started_at ?? startedAt,
                  ...(done ? { initial_done: true, watermark: cursor.initial_started_at ?? startedAt, last_synced_at: new Date() } : {}),
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
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;

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
    /** Support's resync: the next cycle re-reads every object from the start; FastFollow data stays. */
    async resetSyncCursors({ connectionId }: { connectionId: string }): Promise<void> {
      await db
        .updateTable('salesforce_sync_cursors')
        .set({
          initial_done: false,
          initial_started_at: null,
          mode: null,
          locator: null,
          last_modstamp: null,
          last_id: null,
          window_from: null,
          window_to: null,
          records_synced: 0,
          updated_at: new Date(),
        })
        .where('connection_id', '=', connectionId)
        .execute();
    },
  };
}

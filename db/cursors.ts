import type { Db } from './connect.js';
import type { SyncedObject } from '../domain/synced-objects.js';
import { resyncRequested, type CursorChange, type CursorRow } from './cursor-transitions.js';

// The one owner of salesforce_sync_cursors. Transitions (what changes) are in cursor-transitions.ts.

export type { CursorChange, CursorRead, CursorRow } from './cursor-transitions.js';

interface CursorKey {
  connectionId: string;
  object: SyncedObject;
}

async function ensureCursor(db: Db, { connectionId, object }: CursorKey): Promise<void> {
  await db.insertInto('salesforce_sync_cursors').values({ connection_id: connectionId, object }).onConflict((oc) => oc.doNothing()).execute();
}

async function readCursor(db: Db, { connectionId, object }: CursorKey): Promise<CursorRow | undefined> {
  return db.selectFrom('salesforce_sync_cursors').selectAll().where('connection_id', '=', connectionId).where('object', '=', object).executeTakeFirst();
}

/** Loads (creating if needed) the object's cursor. */
export async function loadOrCreateCursor(db: Db, key: CursorKey): Promise<CursorRow> {
  // One read per page; the insert happens once per connection and object.
  const existing = await readCursor(db, key);
  if (existing) return existing;
  await ensureCursor(db, key);
  return (await readCursor(db, key))!;
}

/** Records the initial read's method, unless one is planned already or the read is done. */
export async function planInitialRead(db: Db, key: CursorKey, plan: { method: 'rest' | 'bulk'; plannedRecords: number }): Promise<void> {
  await ensureCursor(db, key);
  await db
    .updateTable('salesforce_sync_cursors')
    .set({ method: plan.method, planned_records: plan.plannedRecords })
    .where('connection_id', '=', key.connectionId)
    .where('object', '=', key.object)
    .where('method', 'is', null)
    .where('initial_done', '=', false)
    .execute();
}

/**
 * Applies one transition (cursor-transitions.ts) and returns the cursor as it now is (undefined: there is
 * none, e.g. the connection's cursors were removed). Pass the page's transaction so page and cursor commit together.
 */
export async function advanceCursor(db: Db, { connectionId, object }: CursorKey, change: CursorChange): Promise<CursorRow | undefined> {
  return db.updateTable('salesforce_sync_cursors').set(change).where('connection_id', '=', connectionId).where('object', '=', object).returningAll().executeTakeFirst();
}

/** Support's resync: every object of the connection is re-planned and re-read; FastFollow data stays. */
export async function resetCursorsForResync(db: Db, connectionId: string): Promise<void> {
  await db.updateTable('salesforce_sync_cursors').set(resyncRequested()).where('connection_id', '=', connectionId).execute();
}

/** The connection now points at another org: its cursors mean nothing there. */
export async function deleteCursorsOfConnection(db: Db, connectionId: string): Promise<void> {
  await db.deleteFrom('salesforce_sync_cursors').where('connection_id', '=', connectionId).execute();
}

/** Bulk jobs Salesforce failed, aborted or deleted during this connection's reads, per object (support's health view). */
export async function lostBulkJobs(db: Db, connectionId: string): Promise<Array<{ object: SyncedObject; lost: number; reason: string | null; at: Date | null }>> {
  const rows = await db
    .selectFrom('salesforce_sync_cursors')
    .select(['object', 'bulk_jobs_lost', 'bulk_job_lost_reason', 'bulk_job_lost_at'])
    .where('connection_id', '=', connectionId)
    .where('bulk_jobs_lost', '>', 0)
    .orderBy('object')
    .execute();
  return rows.map((row) => ({ object: row.object, lost: row.bulk_jobs_lost, reason: row.bulk_job_lost_reason, at: row.bulk_job_lost_at }));
}

/** The largest Bulk job Salesforce finished for this connection's reads (its records and processing time), if any. */
export async function largestFinishedBulkJob(db: Db, connectionId: string): Promise<{ records: number; processingMs: number } | undefined> {
  const row = await db
    .selectFrom('salesforce_sync_cursors')
    .select(['bulk_completed_records', 'bulk_completed_processing_ms'])
    .where('connection_id', '=', connectionId)
    .where('bulk_completed_records', '>', 0)
    .where('bulk_completed_processing_ms', '>', 0)
    .orderBy('bulk_completed_records', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { records: row.bulk_completed_records!, processingMs: row.bulk_completed_processing_ms! } : undefined;
}

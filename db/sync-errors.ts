import { sql, type Transaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database } from './schema.js';
import type { SyncIssue } from '../domain/sync/issues.js';
import type { SyncedObject } from '../domain/synced-objects.js';

// The one owner of salesforce_sync_errors: record-level problems found while applying pages.

/**
 * The page's records' issues replace whatever was recorded for them before (fixed data clears its error).
 * `recordIds` empty: nothing recorded to clear (the page began with no errors for the object).
 */
export async function replaceRecordIssues(
  trx: Transaction<Database>,
  connectionId: string,
  object: SyncedObject,
  recordIds: string[],
  issues: SyncIssue[],
): Promise<void> {
  if (recordIds.length > 0) {
    await trx
      .deleteFrom('salesforce_sync_errors')
      .where('connection_id', '=', connectionId)
      .where('object', '=', object)
      .where(sql<boolean>`salesforce_id = any(${recordIds}::text[])`)
      .execute();
  }
  if (issues.length === 0) return;
  const unique = new Map(issues.map((issue) => [`${issue.salesforceId}:${issue.code}`, issue]));
  await trx
    .insertInto('salesforce_sync_errors')
    .values([...unique.values()].map((issue) => ({ connection_id: connectionId, object, salesforce_id: issue.salesforceId, code: issue.code, field: issue.field, message: issue.message })))
    .onConflict((oc) =>
      oc.constraint('salesforce_sync_errors_record_code_key').doUpdateSet({
        message: (eb) => eb.ref('excluded.message'),
        occurrences: sql`salesforce_sync_errors.occurrences + 1`,
        last_seen_at: sql`now()`,
      }),
    )
    .execute();
}

export interface SyncErrorGroup {
  code: string;
  records: number;
  objects: string[];
  /** The most recently seen records' Salesforce Ids, newest first. */
  sampleRecordIds: string[];
  lastSeenAt: Date;
}

/** A connection's record errors grouped by code, largest group first. */
export async function groupSyncErrors(db: Db, connectionId: string, sampleSize: number): Promise<SyncErrorGroup[]> {
  const groups = await sql<{ code: string; records: string; objects: string[]; sample: string[]; last_seen_at: Date }>`
    select code,
           count(*) as records,
           array_agg(distinct object order by object) as objects,
           (array_agg(salesforce_id order by last_seen_at desc))[1:${sampleSize}] as sample,
           max(last_seen_at) as last_seen_at
    from salesforce_sync_errors
    where connection_id = ${connectionId}
    group by code
    order by count(*) desc, code`.execute(db);
  return groups.rows.map((group) => ({
    code: group.code,
    records: Number(group.records),
    objects: group.objects,
    sampleRecordIds: group.sample,
    lastSeenAt: group.last_seen_at,
  }));
}

import { sql } from 'kysely';
import type jsforce from 'jsforce';
import type { Db } from '../db/connect.js';
import { advanceBackfill, nextBackfill } from '../db/field-mappings.js';
import { applyCustomValues } from '../db/mirror-custom.js';
import { readFieldsPage } from '../salesforce/describe.js';
import type { WriteBackCounts } from './write-back-batch.js';

// The backfill of newly mapped Salesforce → FastFollow custom fields: Id and the new fields only,
// keyset by Id, one page per step, the position stored with the values (a crash repeats one page at
// most). Everything else is not read again; incremental reads include the fields from then on.

const PAGE = 2_000;

/** One backfill page of the connection, if a backfill is pending. */
export async function backfillOnePage(db: Db, conn: jsforce.Connection, connectionId: string, counts: WriteBackCounts): Promise<void> {
  const work = await nextBackfill(db, connectionId);
  if (!work) return;
  counts.apiCalls += 1;
  const records = await readFieldsPage(conn, work.object, work.fields.map((field) => field.salesforceField), work.afterId, PAGE);
  await db.transaction().execute(async (trx) => {
    // The sync's own write: not a FastFollow edit to write back.
    await sql`select set_config('fastfollow.sync_origin', 'salesforce', true)`.execute(trx);
    await applyCustomValues(trx, connectionId, work.object, work.fields, records);
    await advanceBackfill(trx, connectionId, work, records.length > 0 ? String(records.at(-1)!.Id) : work.afterId, records.length < PAGE);
  });
}

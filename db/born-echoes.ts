import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { bornRecordsInFlight, finishQueue, linkRow, type QueuedBornRecord } from './born-records.js';
import type { SalesforceRecord } from './mirror-rows.js';
import { deriveCreateFields, matchesSent } from '../domain/born-records.js';
import type { SyncedObject } from '../domain/synced-objects.js';

// A record FastFollow created in Salesforce can come back through the read before the create's answer
// was stored: the answer was lost, the worker stopped in between, or the read was simply quicker. Without
// this, the read would insert a second FastFollow row for it and the retried create, finding the record
// already mirrored, could only report a duplicate.

/**
 * Born records of `object` whose create call is in flight (sent, answer not stored) and whose FastFollow
 * row is still unlinked: looked up once per page (one indexed query; none for Account).
 */
export async function bornCreatesInFlight(db: Kysely<Database>, connectionId: string, object: SyncedObject): Promise<QueuedBornRecord[]> {
  if (object === 'Account') return [];
  return (await bornRecordsInFlight(db, connectionId, object)).filter((record) => record.state === 'waiting');
}

/**
 * Inside the page's transaction, before the page is applied: each record of the page not mirrored yet
 * that has exactly the values of a born record in `inFlight` becomes that born row's Salesforce record
 * (the page then updates that row instead of inserting one); linked ones leave `inFlight`, which the
 * page's slices share. Returns how many rows became mirrored this way.
 */
export async function linkEchoedBornRecords(trx: Transaction<Database>, connectionId: string, object: SyncedObject, live: SalesforceRecord[], inFlight: QueuedBornRecord[]): Promise<number> {
  if (object === 'Account' || live.length === 0 || inFlight.length === 0) return 0;
  const idColumn = object === 'Contact' ? 'salesforce_contact_id' : 'salesforce_opportunity_id';
  const { rows } = await sql<{ id: string }>`
    select ${sql.ref(idColumn)} as id from ${sql.table(object === 'Contact' ? 'contacts' : 'deals')}
    where salesforce_connection_id = ${connectionId} and ${sql.ref(idColumn)} = any(${live.map((record) => String(record.Id))}::text[])`.execute(trx);
  const mirrored = new Set(rows.map((row) => row.id));
  let linked = 0;
  for (const record of live) {
    if (mirrored.has(String(record.Id))) continue;
    const index = inFlight.findIndex((born) => {
      const derived = deriveCreateFields(born);
      return derived.ok && matchesSent(derived.fields, record);
    });
    if (index < 0) continue;
    const [born] = inFlight.splice(index, 1);
    if ((await linkRow(trx, connectionId, { record: born!, salesforceId: String(record.Id), how: 'created' })) !== 'done') continue;
    await finishQueue(trx, [born!.queueId], 'created', String(record.Id));
    linked += 1;
  }
  return linked;
}

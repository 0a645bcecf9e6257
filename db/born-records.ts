import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database } from './schema.js';
import type { OutboxFailure } from './outbox.js';
import { mappedFields } from './field-mappings.js';
import { writesToSalesforce } from '../domain/field-mappings.js';
import type { BornRecord } from '../domain/born-records.js';
import { MAX_RECORD_ATTEMPTS, WRITE_BACK_FIELDS, type WriteBackObject } from '../domain/write-back.js';

// The queue of records born in FastFollow (filled by the insert triggers of migration 0014) and the
// link between such a row and the Salesforce record created for it (or found by its email).

const TABLE = { Contact: { table: 'contacts', idColumn: 'salesforce_contact_id' }, Opportunity: { table: 'deals', idColumn: 'salesforce_opportunity_id' } } as const;

type BornRow = {
  id: string; object: WriteBackObject; record_id: string; sending_since: Date | null; linked: boolean; gone: boolean;
  full_name: string | null; email: string | null; phone: string | null; title: string | null; value: string | null; stage: string | null; expected_close_date: string | null;
  custom: Record<string, unknown> | null;
};
export type QueuedBornRecord = BornRecord & { state: 'waiting' | 'linked' | 'gone' };

/** Queued born records picked by `which` (a condition on `b`, the queue row), with their FastFollow row as it is now. */
async function queuedBornRecords(db: Kysely<Database>, connectionId: string, which: RawBuilder<unknown>, limit: number): Promise<QueuedBornRecord[]> {
  const { rows } = await sql<BornRow>`
    select b.id, b.object, b.record_id, b.sending_since,
           coalesce(c.salesforce_connection_id, d.salesforce_connection_id) is not null as linked, (c.id is null and d.id is null) as gone,
           coalesce(c.custom_fields, d.custom_fields) as custom, c.full_name, c.email, c.phone, d.title, d.value::text as value, d.stage, d.expected_close_date::text as expected_close_date
    from salesforce_born_records b
    left join contacts c on b.object = 'Contact' and c.id = b.record_id
    left join deals d on b.object = 'Opportunity' and d.id = b.record_id
    where b.salesforce_connection_id = ${connectionId} and b.status = 'pending' and ${which}
    order by b.id limit ${limit}`.execute(db);
  return rows.map((row) => ({
    queueId: String(row.id),
    object: row.object,
    recordId: row.record_id,
    sendingSince: row.sending_since,
    state: row.gone ? 'gone' : row.linked ? 'linked' : 'waiting',
    custom: row.custom ?? {},
    columns: (row.object === 'Contact'
      ? { full_name: row.full_name, email: row.email, phone: row.phone }
      : { title: row.title, value: row.value, stage: row.stage, expected_close_date: row.expected_close_date }) as Record<string, string | null>,
  }));
}

/** Due born records of one object (the object of the oldest), at most `limit`, with their FastFollow row as it is now. */
export async function dueBornRecords(db: Db, connectionId: string, limit: number): Promise<QueuedBornRecord[]> {
  const headObject = sql`(select object from salesforce_born_records
      where salesforce_connection_id = ${connectionId} and status = 'pending' and next_attempt_at <= now() order by id limit 1)`;
  return queuedBornRecords(db, connectionId, sql`b.next_attempt_at <= now() and b.object = ${headObject}`, limit);
}

/** At most one create call's records are in flight per object (sObject Collections take 200). */
const ONE_CREATE_CALL = 200;

/** Born records of `object` whose create call went out and whose answer is not stored yet (Salesforce may have them). */
export async function bornRecordsInFlight(db: Kysely<Database>, connectionId: string, object: WriteBackObject): Promise<QueuedBornRecord[]> {
  return queuedBornRecords(db, connectionId, sql`b.object = ${object} and b.sending_since is not null`, ONE_CREATE_CALL);
}

/** How many born records are due now. */
export async function dueBornCount(db: Db, connectionId: string): Promise<number> {
  const row = await db.selectFrom('salesforce_born_records').select(sql<string>`count(*)`.as('n'))
    .where('salesforce_connection_id', '=', connectionId).where('status', '=', 'pending').where('next_attempt_at', '<=', sql<Date>`now()`).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The marker set before a create call: still set on a later try, the call's answer was lost. */
export async function markBornSending(db: Db, queueIds: string[]): Promise<void> {
  if (queueIds.length === 0) return;
  await db.updateTable('salesforce_born_records').set({ sending_since: sql`now()` }).where('id', 'in', queueIds).where('sending_since', 'is', null).execute();
}

export async function integrationUserId(db: Db, connectionId: string): Promise<string> {
  return (await db.selectFrom('salesforce_connections').select('user_id').where('id', '=', connectionId).executeTakeFirstOrThrow()).user_id;
}

export interface BornLink {
  record: BornRecord;
  salesforceId: string;
  /** created: we created it with `record.columns`; linked: it existed with the same email. */
  how: 'created' | 'linked';
}

export interface BornOutcome {
  links: BornLink[];
  failed: Array<{ queueIds: string[]; failure: OutboxFailure }>;
  retry: Array<{ queueIds: string[]; delaySeconds: number; failure: OutboxFailure }>;
  skipped: string[];
}

const ALREADY_MIRRORED: OutboxFailure = {
  code: 'ALREADY_MIRRORED',
  message: 'The Salesforce record this FastFollow record matches is already mirrored as another FastFollow record.',
  fix: 'Merge the two FastFollow records (keep the mirrored one); nothing is created in Salesforce for this one.',
};

/** Stores a batch's outcome in one transaction, linking rows as the sync (not captured as FastFollow edits). */
export async function recordBornOutcome(db: Db, connectionId: string, outcome: BornOutcome): Promise<{ linked: number; failed: number }> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('fastfollow.sync_origin', 'salesforce', true)`.execute(trx);
    const failed = [...outcome.failed];
    let linked = 0;
    for (const link of outcome.links) {
      const result = await linkRow(trx, connectionId, link);
      if (result === 'taken') failed.push({ queueIds: [link.record.queueId], failure: ALREADY_MIRRORED });
      else if (result === 'gone') outcome.skipped.push(link.record.queueId);
      else {
        // 'already' counts too: the record is this row's, whoever linked it first.
        linked += 1;
        await finishQueue(trx, [link.record.queueId], link.how, link.salesforceId);
      }
    }
    for (const { queueIds, failure } of failed) {
      await trx.updateTable('salesforce_born_records')
        .set({ status: 'failed', attempts: sql`attempts + 1`, sending_since: null, error_code: failure.code, error_message: failure.message, error_fix: failure.fix, finished_at: sql`now()` })
        .where('id', 'in', queueIds).execute();
    }
    for (const { queueIds, delaySeconds, failure } of outcome.retry) {
      await trx.updateTable('salesforce_born_records')
        .set({
          status: sql`case when attempts + 1 >= ${MAX_RECORD_ATTEMPTS} then 'failed' else 'pending' end`, attempts: sql`attempts + 1`, sending_since: null,
          next_attempt_at: sql`now() + make_interval(secs => ${delaySeconds})`, error_code: failure.code, error_message: failure.message, error_fix: failure.fix,
        })
        .where('id', 'in', queueIds).execute();
    }
    await finishQueue(trx, outcome.skipped, 'skipped', null);
    return { linked, failed: failed.length };
  });
}

export async function finishQueue(trx: Transaction<Database>, queueIds: string[], status: 'created' | 'linked' | 'skipped', salesforceId: string | null): Promise<void> {
  if (queueIds.length === 0) return;
  await trx.updateTable('salesforce_born_records')
    .set({ status, salesforce_id: salesforceId, sending_since: null, finished_at: sql`now()`, error_code: null, error_message: null, error_fix: null })
    .where('id', 'in', queueIds).execute();
}

/**
 * Gives the FastFollow row its Salesforce id (and the connection). Then queues as write-back edits
 * what Salesforce does not have from FastFollow: for a linked contact its bidirectional fields and
 * mapped custom values (the conflict rules decide), for a created record what was edited since the
 * create was sent.
 */
export async function linkRow(trx: Transaction<Database>, connectionId: string, { record, salesforceId, how }: BornLink): Promise<'done' | 'already' | 'taken' | 'gone'> {
  const { table, idColumn } = TABLE[record.object];
  const { rows: taken } = await sql`select 1 from ${sql.table(table)} where salesforce_connection_id = ${connectionId} and ${sql.ref(idColumn)} = ${salesforceId} and id <> ${record.recordId}`.execute(trx);
  if (taken.length > 0) return 'taken';
  const columns = Object.keys(WRITE_BACK_FIELDS[record.object]);
  const { rows } = await sql<{ values: Record<string, string | null>; custom: Record<string, unknown>; updated_at: Date }>`
    update ${sql.table(table)} set salesforce_connection_id = ${connectionId}, salesforce_environment = 'production', ${sql.ref(idColumn)} = ${salesforceId}
    where id = ${record.recordId} and salesforce_connection_id is null and ${sql.ref(idColumn)} is null
    returning jsonb_build_object(${sql.join(columns.flatMap((column) => [sql.lit(column), sql`${sql.ref(column)}::text`]))}) as values, custom_fields as custom, updated_at`.execute(trx);
  const row = rows[0];
  if (!row) {
    // Linked already to this very record (the read saw it come back first): done, nothing more to queue.
    const { rows: same } = await sql`select 1 from ${sql.table(table)} where id = ${record.recordId} and salesforce_connection_id = ${connectionId} and ${sql.ref(idColumn)} = ${salesforceId}`.execute(trx);
    return same.length > 0 ? 'already' : 'gone';
  }
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const mapped = await mappedFields(trx, connectionId, record.object, writesToSalesforce);
  const values = [
    ...columns.map((field) => ({ field, now: row.values[field] ?? null, sent: record.columns[field] ?? null })),
    // A field not createable was not sent with the create: its value goes as an edit.
    ...mapped.map(({ key, createable }) => ({ field: `custom.${key}`, now: text(row.custom[key]), sent: createable ? text(record.custom?.[key]) : null })),
  ];
  const edits = values.flatMap(({ field, now, sent }) => {
    const before = how === 'linked' ? null : sent;
    return now !== null && now !== before ? [{ field, old_value: before, new_value: now }] : [];
  });
  if (edits.length > 0) {
    await trx.insertInto('salesforce_outbox')
      .values(edits.map((edit) => ({ salesforce_connection_id: connectionId, object: record.object, record_id: record.recordId, salesforce_id: salesforceId, ...edit, changed_at: row.updated_at })))
      .execute();
  }
  return 'done';
}

/** Support's view of born records: waiting, and refused (by code, with the fix and sample FastFollow ids). */
export async function bornRecordsHealth(db: Db, connectionId: string, sample: number) {
  const [pending, failed] = await Promise.all([
    db.selectFrom('salesforce_born_records').select(sql<string>`count(*)`.as('n')).where('salesforce_connection_id', '=', connectionId).where('status', '=', 'pending').executeTakeFirst(),
    sql<{ code: string; message: string; fix: string; records: string; sample_ids: string[] }>`
      select error_code as code, max(error_message) as message, max(error_fix) as fix, count(*) as records, (array_agg(record_id::text order by id))[1:${sample}] as sample_ids
      from salesforce_born_records where salesforce_connection_id = ${connectionId} and status = 'failed' group by error_code order by error_code`.execute(db),
  ]);
  return {
    pending: Number(pending?.n ?? 0),
    failed: failed.rows.map((row) => ({ code: row.code, message: row.message, fix: row.fix, records: Number(row.records), sampleFastFollowIds: row.sample_ids })),
  };
}

/** Whether the connection creates records born in FastFollow in Salesforce (on by default). */
export async function setCreateBornRecords(db: Db, connectionId: string, on: boolean): Promise<void> {
  await db.updateTable('salesforce_connections').set({ create_born_records: on }).where('id', '=', connectionId).execute();
}

import { sql, type Transaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database } from './schema.js';
import { MAX_RECORD_ATTEMPTS, type OutboxEdit, type WriteBackObject, type WriteConflict } from '../domain/write-back.js';

// The write-back outbox (rows written by the contacts/deals triggers of migration 0013) and the
// conflicts write-back resolved. Rows stay pending until the transaction that stores the outcome of
// their Salesforce write: a crash before it re-sends them (a PATCH of the same values changes nothing).

/** Pending edits due now, of up to `limit` records of one object (the object of the oldest due edit). */
export async function dueOutboxEdits(db: Db, connectionId: string, limit: number): Promise<OutboxEdit[]> {
  const { rows } = await sql<{
    seq: string; object: WriteBackObject; record_id: string; salesforce_id: string; field: string;
    old_value: string | null; new_value: string | null; changed_at: Date;
  }>`
    with head as (
      select object from salesforce_outbox
      where salesforce_connection_id = ${connectionId} and status = 'pending' and next_attempt_at <= now()
      order by seq limit 1),
    records as (
      select o.salesforce_id, min(o.seq) as first_seq from salesforce_outbox o join head h on h.object = o.object
      where o.salesforce_connection_id = ${connectionId} and o.status = 'pending' and o.next_attempt_at <= now()
      group by o.salesforce_id order by first_seq limit ${limit})
    select o.seq, o.object, o.record_id, o.salesforce_id, o.field, o.old_value, o.new_value, o.changed_at
    from salesforce_outbox o join head h on h.object = o.object join records r on r.salesforce_id = o.salesforce_id
    where o.salesforce_connection_id = ${connectionId} and o.status = 'pending'
    order by o.seq`.execute(db);
  return rows.map((row) => ({
    seq: String(row.seq),
    object: row.object,
    recordId: row.record_id,
    salesforceId: row.salesforce_id,
    field: row.field,
    oldValue: row.old_value,
    newValue: row.new_value,
    changedAt: row.changed_at,
  }));
}

/** How many pending edits are due now, and in how long the next waiting one (a retry) is due. */
export async function outboxState(db: Db, connectionId: string): Promise<{ due: number; nextDueInMs: number | null }> {
  const { rows } = await sql<{ due: string; next_in_ms: string | null }>`
    select count(*) filter (where next_attempt_at <= now()) as due,
           extract(epoch from min(next_attempt_at) filter (where next_attempt_at > now()) - now()) * 1000 as next_in_ms
    from salesforce_outbox where salesforce_connection_id = ${connectionId} and status = 'pending'`.execute(db);
  const row = rows[0];
  return { due: Number(row?.due ?? 0), nextDueInMs: row?.next_in_ms === null || row?.next_in_ms === undefined ? null : Math.ceil(Number(row.next_in_ms)) };
}

export interface OutboxFailure {
  code: string;
  message: string;
  fix: string;
}

/** The outcome of one batch, stored at once. */
export interface OutboxOutcome {
  written: string[];
  superseded: string[];
  failed: Array<{ seqs: string[]; failure: OutboxFailure }>;
  retry: Array<{ seqs: string[]; delaySeconds: number; failure: OutboxFailure }>;
  conflicts: Array<WriteConflict & { object: WriteBackObject; recordId: string; salesforceId: string }>;
}

/** Stores a batch's outcome in one transaction: rows leave `pending` only together with their result. */
export async function recordOutboxOutcome(db: Db, connectionId: string, outcome: OutboxOutcome): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await finish(trx, connectionId, outcome.written, 'written');
    await finish(trx, connectionId, outcome.superseded, 'superseded');
    for (const { seqs, failure } of outcome.failed) {
      await trx
        .updateTable('salesforce_outbox')
        .set({ status: 'failed', error_code: failure.code, error_message: failure.message, error_fix: failure.fix, finished_at: sql`now()`, attempts: sql`attempts + 1` })
        .where('salesforce_connection_id', '=', connectionId)
        .where('seq', 'in', seqs)
        .execute();
    }
    for (const { seqs, delaySeconds, failure } of outcome.retry) {
      await trx
        .updateTable('salesforce_outbox')
        .set({
          status: sql`case when attempts + 1 >= ${MAX_RECORD_ATTEMPTS} then 'failed' else 'pending' end`,
          attempts: sql`attempts + 1`,
          next_attempt_at: sql`now() + make_interval(secs => ${delaySeconds})`, error_code: failure.code, error_message: failure.message, error_fix: failure.fix,
        })
        .where('salesforce_connection_id', '=', connectionId)
        .where('seq', 'in', seqs)
        .execute();
    }
    if (outcome.conflicts.length > 0) {
      await trx
        .insertInto('salesforce_write_conflicts')
        .values(
          outcome.conflicts.map((c) => ({
            salesforce_connection_id: connectionId,
            object: c.object,
            record_id: c.recordId,
            salesforce_id: c.salesforceId,
            field: c.field,
            fastfollow_value: c.fastfollowValue,
            salesforce_value: c.salesforceValue,
            winner: c.winner,
          })),
        )
        .execute();
    }
  });
}

async function finish(trx: Transaction<Database>, connectionId: string, seqs: string[], status: 'written' | 'superseded'): Promise<void> {
  if (seqs.length === 0) return;
  await trx
    .updateTable('salesforce_outbox')
    .set({ status, finished_at: sql`now()`, error_code: null, error_message: null, error_fix: null })
    .where('salesforce_connection_id', '=', connectionId)
    .where('seq', 'in', seqs)
    .where('status', '=', 'pending')
    .execute();
}

/** Support's view: pending edits, failed ones grouped by code (with the fix), and conflicts. */
export async function writeBackHealth(db: Db, connectionId: string, sample: number) {
  const [pending, failed, conflicts, recent] = await Promise.all([
    db.selectFrom('salesforce_outbox').select(sql<string>`count(*)`.as('n')).where('salesforce_connection_id', '=', connectionId).where('status', '=', 'pending').executeTakeFirst(),
    sql<{ code: string; message: string; fix: string; records: string; sample_ids: string[] }>`
      select error_code as code, max(error_message) as message, max(error_fix) as fix, count(distinct salesforce_id) as records,
             (array_agg(distinct salesforce_id))[1:${sample}] as sample_ids
      from salesforce_outbox where salesforce_connection_id = ${connectionId} and status = 'failed'
      group by error_code order by error_code`.execute(db),
    db.selectFrom('salesforce_write_conflicts').select(sql<string>`count(*)`.as('n')).where('salesforce_connection_id', '=', connectionId).executeTakeFirst(),
    db.selectFrom('salesforce_write_conflicts').selectAll().where('salesforce_connection_id', '=', connectionId).orderBy('id', 'desc').limit(sample).execute(),
  ]);
  return {
    pending: Number(pending?.n ?? 0),
    failed: failed.rows.map((row) => ({ code: row.code, message: row.message, fix: row.fix, records: Number(row.records), sampleRecordIds: row.sample_ids })),
    conflicts: Number(conflicts?.n ?? 0),
    recentConflicts: recent.map((row) => ({
      object: row.object,
      salesforceId: row.salesforce_id,
      field: row.field,
      fastfollowValue: row.fastfollow_value,
      salesforceValue: row.salesforce_value,
      winner: row.winner,
      detectedAt: row.detected_at.toISOString(),
    })),
  };
}

/** The connection's mirror was emptied (its org was replaced): its unsent edits name records of the old org and are dropped. */
export async function dropPendingEdits(db: Db, connectionId: string): Promise<void> {
  await db
    .updateTable('salesforce_outbox')
    .set({ status: 'superseded', finished_at: sql`now()`, error_code: 'ORG_REPLACED', error_message: 'The connection now reads another Salesforce org; this edit named a record of the previous one.' })
    .where('salesforce_connection_id', '=', connectionId)
    .where('status', '=', 'pending')
    .execute();
}

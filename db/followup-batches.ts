import { sql } from 'kysely';
import type { Db } from './connect.js';

// The write lane's side of the followups table: a per-connection queue of pending follow-ups, taken
// in batches. A batch is marked (task_batch_id, task_sending_*) before its Salesforce call and
// cleared once the answer is stored, so a batch still marked afterwards is one whose outcome is
// unknown: it is reconciled with Salesforce before anything of it is sent again.

export interface QueuedFollowup {
  id: string;
  accountId: string;
  contactEmail: string;
  dealId: string | null;
  senderEmail: string | null;
  sentAt: Date;
  subject: string;
  body: string | null;
  createdAt: Date;
}

export interface UncertainFollowup {
  id: string;
  batchId: string;
  sendingSince: Date;
  sendingUntil: Date;
}

export interface FailedFollowup {
  id: string;
  code: string;
  message: string;
  fix: string;
}

/** Who logs the connection's Tasks: the org, and the connected (integration) user, owner of Tasks without a sender. */
export async function taskLoggingScope(db: Db, connectionId: string): Promise<{ orgId: string; userId: string }> {
  return db
    .selectFrom('salesforce_connections')
    .select(['org_id as orgId', 'user_id as userId'])
    .where('id', '=', connectionId)
    .executeTakeFirstOrThrow();
}

/** Follow-ups of the connection in a batch whose Salesforce call may have created Tasks. */
export async function uncertainFollowups(db: Db, connectionId: string): Promise<UncertainFollowup[]> {
  const rows = await db
    .selectFrom('followups')
    .select(['id', 'task_batch_id', 'task_sending_since', 'task_sending_until'])
    .where('salesforce_connection_id', '=', connectionId)
    .where('task_status', '=', 'pending')
    .where('task_batch_id', 'is not', null)
    .execute();
  return rows.map((row) => ({ id: row.id, batchId: row.task_batch_id!, sendingSince: row.task_sending_since!, sendingUntil: row.task_sending_until! }));
}

/** Up to `limit` pending follow-ups that are due, oldest first. */
export async function dueFollowups(db: Db, connectionId: string, limit: number): Promise<QueuedFollowup[]> {
  const rows = await db
    .selectFrom('followups')
    .select(['id', 'account_id', 'contact_email', 'deal_id', 'sender_email', 'sent_at', 'subject', 'body', 'created_at'])
    .where('salesforce_connection_id', '=', connectionId)
    .where('task_status', '=', 'pending')
    .where('task_batch_id', 'is', null)
    .where('task_next_attempt_at', '<=', sql<Date>`now()`)
    .orderBy('task_next_attempt_at')
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    accountId: row.account_id,
    contactEmail: row.contact_email ?? '',
    dealId: row.deal_id,
    senderEmail: row.sender_email,
    sentAt: row.sent_at,
    subject: row.subject,
    body: row.body,
    createdAt: row.created_at,
  }));
}

/** The connection's mirrored contacts by (lower-cased) email: FastFollow id and Salesforce Id. */
export async function mirroredContactsByEmail(db: Db, connectionId: string, emails: string[]): Promise<Map<string, { contactId: string; salesforceId: string }>> {
  if (emails.length === 0) return new Map();
  const rows = await db
    .selectFrom('contacts')
    .select(['id', 'email', 'salesforce_contact_id'])
    .where('salesforce_connection_id', '=', connectionId)
    .where('salesforce_contact_id', 'is not', null)
    .where(sql<string>`lower(email)`, 'in', emails.map((email) => email.toLowerCase()))
    .execute();
  return new Map(rows.map((row) => [row.email!.toLowerCase(), { contactId: row.id, salesforceId: row.salesforce_contact_id! }]));
}

/** Salesforce Opportunity Ids of the given deals, for those mirrored from the connection. */
export async function mirroredOpportunities(db: Db, connectionId: string, dealIds: string[]): Promise<Map<string, string>> {
  if (dealIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('deals')
    .select(['id', 'salesforce_opportunity_id'])
    .where('salesforce_connection_id', '=', connectionId)
    .where('salesforce_opportunity_id', 'is not', null)
    .where('id', 'in', dealIds)
    .execute();
  return new Map(rows.map((row) => [row.id, row.salesforce_opportunity_id!]));
}

/**
 * Marks the follow-ups as sent in batch `batchId` before the Salesforce call. Returns the ids it
 * marked: only those still pending and in no batch (a concurrent attempt cannot send them twice).
 */
export async function markSending(db: Db, batchId: string, ids: string[], inFlightForMs: number): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('followups')
    .set({
      task_batch_id: batchId,
      task_sending_since: sql<Date>`now()`,
      task_sending_until: sql<Date>`now() + make_interval(secs => ${inFlightForMs / 1000})`,
      task_attempts: sql<number>`task_attempts + 1`,
    })
    .where('id', 'in', ids)
    .where('task_status', '=', 'pending')
    .where('task_batch_id', 'is', null)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** The batch's call is over without a usable answer: it may be reconciled at once. */
export async function markCallEnded(db: Db, batchId: string): Promise<void> {
  await db.updateTable('followups').set({ task_sending_until: sql<Date>`now()` }).where('task_batch_id', '=', batchId).where('task_status', '=', 'pending').execute();
}

/** Tasks that exist in Salesforce for these follow-ups: logged (never twice: only pending rows change). */
export async function markLogged(db: Db, logged: Array<{ id: string; taskId: string; contactId?: string | null }>): Promise<void> {
  if (logged.length === 0) return;
  await sql`
    update followups f
       set task_status = 'logged', salesforce_task_id = v.task_id, logged_at = now(),
           contact_id = coalesce(v.contact_id::uuid, f.contact_id),
           task_batch_id = null, task_sending_since = null, task_sending_until = null,
           task_error_code = null, task_error_message = null, task_error_fix = null
      from unnest(${logged.map((l) => l.id)}::text[], ${logged.map((l) => l.taskId)}::text[], ${logged.map((l) => l.contactId ?? null)}::text[])
           as v(id, task_id, contact_id)
     where f.id = v.id and f.task_status = 'pending'`.execute(db);
}

export async function markFailed(db: Db, failed: FailedFollowup[]): Promise<void> {
  if (failed.length === 0) return;
  await sql`
    update followups f
       set task_status = 'failed', task_error_code = v.code, task_error_message = v.message, task_error_fix = v.fix,
           task_batch_id = null, task_sending_since = null, task_sending_until = null
      from unnest(${failed.map((x) => x.id)}::text[], ${failed.map((x) => x.code)}::text[], ${failed.map((x) => x.message)}::text[], ${failed.map((x) => x.fix)}::text[])
           as v(id, code, message, fix)
     where f.id = v.id and f.task_status = 'pending'`.execute(db);
}

/** Back to the queue (out of any batch), due again after `delayMs`. */
export async function requeue(db: Db, ids: string[], delayMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('followups')
    .set({
      task_batch_id: null,
      task_sending_since: null,
      task_sending_until: null,
      task_next_attempt_at: sql<Date>`now() + make_interval(secs => ${delayMs / 1000})`,
    })
    .where('id', 'in', ids)
    .where('task_status', '=', 'pending')
    .execute();
}

/** How many pending follow-ups are due now, and in how many ms the next one not yet due will be. */
export async function queueState(db: Db, connectionId: string): Promise<{ due: number; nextDueInMs: number | null }> {
  const row = await db
    .selectFrom('followups')
    .select([
      sql<string>`count(*) filter (where task_next_attempt_at <= now() or task_batch_id is not null)`.as('due'),
      sql<number | null>`ceil(extract(epoch from min(task_next_attempt_at) filter (where task_next_attempt_at > now() and task_batch_id is null)) * 1000 - extract(epoch from now()) * 1000)`.as('next_in_ms'),
    ])
    .where('salesforce_connection_id', '=', connectionId)
    .where('task_status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { due: Number(row.due), nextDueInMs: row.next_in_ms === null ? null : Math.max(0, Number(row.next_in_ms)) };
}

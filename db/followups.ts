import { sql, type Selectable } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { Db } from './connect.js';
import type { FollowupsTable } from './schema.js';

// The owner of the followups table for the API's side: posting a follow-up to be logged as a
// Salesforce Task, and reading its logging state. The write lane's side is db/followup-batches.ts.

export type FollowupRow = Selectable<FollowupsTable>;

export interface NewFollowup {
  id: string;
  accountId: string;
  environment: Environment;
  connectionId: string;
  contactEmail: string;
  /** FastFollow's contact with that email, when there is one now (the Task's WhoId is resolved when it is sent). */
  contactId: string | null;
  dealId: string | null;
  sentAt: Date;
  subject: string;
  body: string | null;
  senderEmail: string | null;
}

/**
 * Stores the follow-up as pending, once: the same id again (even at the same moment) changes
 * nothing and answers the row as it is. A row the app itself inserted earlier (same id and account,
 * never posted to the sync) is taken over. `created` is false when the id was already being logged.
 */
export async function recordFollowup(db: Db, followup: NewFollowup): Promise<{ row: FollowupRow; created: boolean }> {
  const values = {
    contact_id: followup.contactId,
    deal_id: followup.dealId,
    sent_at: followup.sentAt,
    subject: followup.subject,
    body: followup.body,
    salesforce_connection_id: followup.connectionId,
    salesforce_environment: followup.environment,
    contact_email: followup.contactEmail,
    sender_email: followup.senderEmail,
    task_status: 'pending' as const,
    task_next_attempt_at: sql<Date>`now()`,
  };
  const inserted = await db
    .insertInto('followups')
    .values({ id: followup.id, account_id: followup.accountId, ...values })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet(values)
        .where('followups.task_status', 'is', null)
        .where('followups.account_id', '=', followup.accountId),
    )
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await findFollowup(db, followup.id);
  if (!existing) throw new Error(`Follow-up ${followup.id} was neither stored nor found`);
  return { row: existing, created: false };
}

export async function findFollowup(db: Db, id: string): Promise<FollowupRow | undefined> {
  return db.selectFrom('followups').selectAll().where('id', '=', id).executeTakeFirst();
}

/** FastFollow's contact for an email in the account's environment (FastFollow-only contacts count as production). */
export async function findContactIdByEmail(db: Db, accountId: string, environment: Environment, email: string): Promise<string | null> {
  const row = await db
    .selectFrom('contacts')
    .select('id')
    .where('account_id', '=', accountId)
    .where(sql<string>`coalesce(salesforce_environment, 'production')`, '=', environment)
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
  return row?.id ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The deal a follow-up names: FastFollow's deal id (of the account), or the Salesforce Opportunity Id
 * of a deal mirrored from the connection. Undefined when neither matches.
 */
export async function findDealId(db: Db, accountId: string, connectionId: string, dealId: string): Promise<string | undefined> {
  if (UUID.test(dealId)) {
    const own = await db.selectFrom('deals').select('id').where('id', '=', dealId).where('account_id', '=', accountId).executeTakeFirst();
    if (own) return own.id;
  }
  const mirrored = await db
    .selectFrom('deals')
    .select('id')
    .where('salesforce_connection_id', '=', connectionId)
    .where('salesforce_opportunity_id', '=', dealId)
    .executeTakeFirst();
  return mirrored?.id;
}

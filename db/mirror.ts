import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { replaceRecordIssues } from './sync-errors.js';
import { decideEmailOwner, resolveDuplicateEmails } from '../domain/sync/duplicates.js';
import type { SyncIssue } from '../domain/sync/issues.js';
import {
  mapAccount,
  mapContact,
  mapOpportunity,
  type SalesforceAccountRecord,
  type SalesforceContactRecord,
  type SalesforceOpportunityRecord,
} from '../domain/sync/mapping.js';
import { parseSalesforceDateTime } from '../domain/sync/soql.js';
import type { SyncedObject } from '../domain/synced-objects.js';

export type SalesforceRecord = SalesforceAccountRecord & SalesforceContactRecord & SalesforceOpportunityRecord & Record<string, unknown>;

export interface ApplyContext {
  accountId: string;
  connectionId: string;
}

export interface ApplyResult {
  upserted: number;
  deleted: number;
  /** Rows newly mirrored minus rows removed: keeps the object's count current without recounting. */
  mirroredDelta: number;
  issues: SyncIssue[];
}

/** `xmax = 0` holds for a row this statement inserted (not one it updated): Postgres' upsert tell-tale. */
const INSERTED = sql<boolean>`xmax = 0`.as('inserted');

function countInserted(rows: Array<{ inserted: boolean }>): number {
  return rows.filter((row) => row.inserted).length;
}

function countDeleted(results: Array<{ numDeletedRows: bigint }>): number {
  return results.reduce((sum, result) => sum + Number(result.numDeletedRows), 0);
}

function isDeleted(record: SalesforceRecord): boolean {
  return record.IsDeleted === true || record.IsDeleted === 'true';
}

function modstampOf(record: SalesforceRecord): Date {
  if (!record.SystemModstamp) throw new Error(`Salesforce record ${record.Id ?? '(no Id)'} has no SystemModstamp`);
  return parseSalesforceDateTime(record.SystemModstamp);
}

/**
 * Applies one page of Salesforce records to FastFollow's tables inside the caller's transaction
 * (the same one that advances the cursor). Idempotent: rows are keyed by Salesforce Id and an
 * older SystemModstamp never overwrites a newer one, so a retried or re-read page changes nothing.
 * Deleted records (queryAll, IsDeleted = true) are removed: Salesforce is the source of truth, and
 * follow-ups that referenced them keep their data (their foreign keys are set null).
 */
export async function applyPage(trx: Transaction<Database>, context: ApplyContext, object: SyncedObject, records: SalesforceRecord[]): Promise<ApplyResult> {
  // Marks this transaction's writes as the sync's own, so FastFollow-side change capture ignores them.
  await sql`select set_config('fastfollow.sync_origin', 'salesforce', true)`.execute(trx);
  const live = records.filter((record) => !isDeleted(record));
  const deletedIds = records.filter(isDeleted).map((record) => String(record.Id));
  let result: ApplyResult;
  if (object === 'Account') result = await applyAccounts(trx, context, live, deletedIds);
  else if (object === 'Contact') result = await applyContacts(trx, context, live, deletedIds);
  else result = await applyOpportunities(trx, context, live, deletedIds);
  await replaceRecordIssues(trx, context.connectionId, object, records.map((record) => String(record.Id)), result.issues);
  return result;
}

async function applyAccounts(trx: Transaction<Database>, { accountId }: ApplyContext, live: SalesforceRecord[], deletedIds: string[]): Promise<ApplyResult> {
  const issues: SyncIssue[] = [];
  const rows = live.map((record) => {
    const mapped = mapAccount(record);
    issues.push(...mapped.issues);
    return { account_id: accountId, ...mapped.row, salesforce_modstamp: modstampOf(record) };
  });
  let inserted = 0;
  let removed = 0;
  if (rows.length > 0) {
    const written = await trx
      .insertInto('salesforce_accounts')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'salesforce_account_id'])
          .doUpdateSet({ name: (eb) => eb.ref('excluded.name'), salesforce_modstamp: (eb) => eb.ref('excluded.salesforce_modstamp') })
          .where('salesforce_accounts.salesforce_modstamp', '<=', (eb) => eb.ref('excluded.salesforce_modstamp')),
      )
      .returning(INSERTED)
      .execute();
    inserted = countInserted(written);
    // An Account rename reaches its contacts here: their own SystemModstamp does not change.
    await sql`
      update contacts c set company_name = a.name, updated_at = now()
      from salesforce_accounts a
      where a.account_id = ${accountId} and c.account_id = a.account_id
        and c.salesforce_account_id = a.salesforce_account_id
        and a.salesforce_account_id = any(${rows.map((row) => row.salesforce_account_id)})
        and c.company_name is distinct from a.name`.execute(trx);
  }
  if (deletedIds.length > 0) {
    removed = countDeleted(await trx.deleteFrom('salesforce_accounts').where('account_id', '=', accountId).where('salesforce_account_id', 'in', deletedIds).execute());
    await trx
      .updateTable('contacts')
      .set({ company_name: null, updated_at: new Date() })
      .where('account_id', '=', accountId)
      .where('salesforce_account_id', 'in', deletedIds)
      .execute();
  }
  return { upserted: rows.length, deleted: deletedIds.length, mirroredDelta: inserted - removed, issues };
}

async function applyContacts(trx: Transaction<Database>, { accountId }: ApplyContext, live: SalesforceRecord[], deletedIds: string[]): Promise<ApplyResult> {
  const issues: SyncIssue[] = [];
  let removed = 0;
  if (deletedIds.length > 0) {
    removed = countDeleted(await trx.deleteFrom('contacts').where('account_id', '=', accountId).where('salesforce_contact_id', 'in', deletedIds).execute());
  }
  if (live.length === 0) return { upserted: 0, deleted: deletedIds.length, mirroredDelta: -removed, issues };

  const mapped = live.map((record) => {
    const result = mapContact(record);
    issues.push(...result.issues);
    return { ...result.row, salesforce_modstamp: modstampOf(record) };
  });
  const batch = resolveDuplicateEmails(mapped);
  issues.push(...batch.issues);

  // Who holds these emails today, and what these contacts look like today: one query.
  const emails = [...new Set(batch.rows.flatMap((row) => (row.email ? [row.email] : [])))];
  const existing = await trx
    .selectFrom('contacts')
    .select(['id', 'salesforce_contact_id', 'salesforce_modstamp', sql<string | null>`lower(email)`.as('email_key')])
    .where('account_id', '=', accountId)
    .where((eb) =>
      eb.or([eb(sql`lower(email)`, 'in', emails.length ? emails : ['']), eb('salesforce_contact_id', 'in', batch.rows.map((row) => row.salesforce_contact_id))]),
    )
    .execute();
  const rowBySfId = new Map(existing.filter((row) => row.salesforce_contact_id).map((row) => [row.salesforce_contact_id!, row]));
  // An older version than the stored one is skipped whole, before it can move any email.
  const incoming = batch.rows.filter((row) => {
    const stored = rowBySfId.get(row.salesforce_contact_id)?.salesforce_modstamp;
    return !stored || row.salesforce_modstamp.getTime() >= stored.getTime();
  });
  const sfIds = incoming.map((row) => row.salesforce_contact_id);
  // A holder that is itself in this page is about to get its new email (the batch rule already
  // settled conflicts inside the page), so only contacts outside the page can contest an email.
  const inPage = new Set(sfIds);
  const holderByEmail = new Map(
    existing.filter((row) => row.email_key && !(row.salesforce_contact_id && inPage.has(row.salesforce_contact_id))).map((row) => [row.email_key!, row]),
  );

  const demote: string[] = []; // row ids that lose their email to an older Salesforce contact
  const adopt: Array<{ id: string; sfId: string }> = []; // FastFollow-only rows that are this Salesforce contact
  const rows = incoming.map((row) => {
    if (!row.email) return row;
    const holder = holderByEmail.get(row.email);
    const decision = decideEmailOwner(row, holder);
    switch (decision.outcome) {
      case 'take':
        demote.push(holder!.id);
        issues.push(decision.issue);
        return row;
      case 'yield':
        issues.push(decision.issue);
        return { ...row, email: null };
      case 'adopt':
        if (rowBySfId.has(row.salesforce_contact_id)) {
          // Both exist as separate FastFollow rows: never merge silently.
          issues.push({
            code: 'DUPLICATE_EMAIL',
            field: 'Email',
            message: 'A FastFollow contact without a Salesforce link already has this email; this contact is stored without an email.',
            salesforceId: row.salesforce_contact_id,
          });
          return { ...row, email: null };
        }
        adopt.push({ id: holder!.id, sfId: row.salesforce_contact_id });
        return row;
      default:
        return row;
    }
  });

  // Free every email that is about to move before the upsert, so swaps within a page cannot collide.
  const moving = rows.flatMap((row) => {
    const current = rowBySfId.get(row.salesforce_contact_id);
    return current && current.email_key !== row.email ? [current.id] : [];
  });
  const clear = [...demote, ...moving];
  if (clear.length > 0) await trx.updateTable('contacts').set({ email: null, updated_at: new Date() }).where('id', 'in', clear).execute();
  for (const { id, sfId } of adopt) {
    await trx.updateTable('contacts').set({ salesforce_contact_id: sfId }).where('id', '=', id).execute();
  }

  if (rows.length === 0) return { upserted: 0, deleted: deletedIds.length, mirroredDelta: adopt.length - removed, issues };
  const written = await trx
    .insertInto('contacts')
    .values(rows.map((row) => ({ account_id: accountId, ...row })))
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'salesforce_contact_id'])
        .where('salesforce_contact_id', 'is not', null)
        .doUpdateSet({
          full_name: (eb) => eb.ref('excluded.full_name'),
          email: (eb) => eb.ref('excluded.email'),
          phone: (eb) => eb.ref('excluded.phone'),
          company_name: (eb) => eb.ref('excluded.company_name'),
          salesforce_account_id: (eb) => eb.ref('excluded.salesforce_account_id'),
          salesforce_modstamp: (eb) => eb.ref('excluded.salesforce_modstamp'),
          updated_at: sql`now()`,
        })
        .where((eb) =>
          eb.or([eb('contacts.salesforce_modstamp', 'is', null), eb('contacts.salesforce_modstamp', '<=', eb.ref('excluded.salesforce_modstamp'))]),
        ),
    )
    .returning(INSERTED)
    .execute();
  const inserted = countInserted(written);
  // Adopted FastFollow-only rows became mirrored too (an update, not an insert).
  return { upserted: rows.length, deleted: deletedIds.length, mirroredDelta: inserted + adopt.length - removed, issues };
}

async function applyOpportunities(trx: Transaction<Database>, { accountId }: ApplyContext, live: SalesforceRecord[], deletedIds: string[]): Promise<ApplyResult> {
  const issues: SyncIssue[] = [];
  let inserted = 0;
  let removed = 0;
  if (deletedIds.length > 0) {
    removed = countDeleted(await trx.deleteFrom('deals').where('account_id', '=', accountId).where('salesforce_opportunity_id', 'in', deletedIds).execute());
  }
  const rows = live.map((record) => {
    const mapped = mapOpportunity(record);
    issues.push(...mapped.issues);
    return { account_id: accountId, ...mapped.row, salesforce_modstamp: modstampOf(record) };
  });
  if (rows.length > 0) {
    const written = await trx
      .insertInto('deals')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'salesforce_opportunity_id'])
          .where('salesforce_opportunity_id', 'is not', null)
          .doUpdateSet({
            title: (eb) => eb.ref('excluded.title'),
            value: (eb) => eb.ref('excluded.value'),
            stage: (eb) => eb.ref('excluded.stage'),
            expected_close_date: (eb) => eb.ref('excluded.expected_close_date'),
            salesforce_account_id: (eb) => eb.ref('excluded.salesforce_account_id'),
            salesforce_modstamp: (eb) => eb.ref('excluded.salesforce_modstamp'),
            updated_at: sql`now()`,
          })
          .where((eb) =>
            eb.or([eb('deals.salesforce_modstamp', 'is', null), eb('deals.salesforce_modstamp', '<=', eb.ref('excluded.salesforce_modstamp'))]),
          ),
      )
      .returning(INSERTED)
      .execute();
    inserted = countInserted(written);
  }
  return { upserted: rows.length, deleted: deletedIds.length, mirroredDelta: inserted - removed, issues };
}

/** How many rows of `object` FastFollow holds for the account: what status shows as the object's progress. */
export async function countMirrored(trx: Transaction<Database>, accountId: string, object: SyncedObject): Promise<number> {
  const counted =
    object === 'Account'
      ? sql<{ count: string }>`select count(*) from salesforce_accounts where account_id = ${accountId}`
      : object === 'Contact'
        ? sql<{ count: string }>`select count(*) from contacts where account_id = ${accountId} and salesforce_contact_id is not null`
        : sql<{ count: string }>`select count(*) from deals where account_id = ${accountId} and salesforce_opportunity_id is not null`;
  const { rows } = await counted.execute(trx);
  return Number(rows[0]?.count ?? 0);
}

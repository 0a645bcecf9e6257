import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { countDeleted, upsertRows, type ApplyContext, type ApplyResult, type UpsertSpec } from './mirror-rows.js';
import { jsonAfterChanges, type MirrorRow, type PreparedSlice } from './mirror-prepare.js';
import { decideEmailOwner } from '../domain/sync/duplicates.js';
import type { SyncIssue } from '../domain/sync/issues.js';
import type { mapContact } from '../domain/sync/mapping.js';

/** A contacts row as prepared (its owner's columns are added by the upsert). */
type ContactRow = MirrorRow & ReturnType<typeof mapContact>['row'];
type StoredContact = {
  id: string;
  salesforce_contact_id: string | null;
  salesforce_connection_id: string | null;
  salesforce_modstamp: Date | null;
  email_key: string | null;
};

/** Where the page's contacts land: which emails move, which rows lose theirs, which FastFollow-only rows are adopted. */
interface EmailSettlement {
  rows: ContactRow[];
  /** Row ids that lose their email to an older Salesforce contact. */
  demote: string[];
  /** FastFollow-only rows that are this Salesforce contact. */
  adopt: Array<{ id: string; sfId: string }>;
}

export async function applyContacts(trx: Transaction<Database>, context: ApplyContext, prepared: PreparedSlice): Promise<ApplyResult> {
  const { connectionId } = context;
  const { deletedIds } = prepared;
  // The slice's mapping issues and its own duplicate emails (settled when it was prepared).
  const issues: SyncIssue[] = [...prepared.issues];
  let removed = 0;
  if (deletedIds.length > 0) {
    removed = countDeleted(
      await trx.deleteFrom('contacts').where('salesforce_connection_id', '=', connectionId).where(sql<boolean>`salesforce_contact_id = any(${deletedIds}::text[])`).execute(),
    );
  }
  const sliceRows = prepared.rows as ContactRow[];
  if (sliceRows.length === 0) return { upserted: 0, deleted: deletedIds.length, mirroredDelta: -removed, issues };

  const existing = await storedContacts(trx, context, sliceRows);
  // Only this connection's rows are these contacts: another connection's row with the same Id is another org's record.
  const ours = existing.filter((row) => row.salesforce_contact_id && row.salesforce_connection_id === connectionId);
  const rowBySfId = new Map(ours.map((row) => [row.salesforce_contact_id!, row]));
  // An older version than the stored one is skipped whole, before it can move any email.
  const incoming = sliceRows.filter((row) => {
    const stored = rowBySfId.get(row.salesforce_contact_id)?.salesforce_modstamp;
    return !stored || row.salesforce_modstamp.getTime() >= stored.getTime();
  });
  const { rows, demote, adopt } = settleEmails(incoming, existing, rowBySfId, issues, connectionId);
  await freeEmailsAndAdopt(trx, context, rows, rowBySfId, demote, adopt);

  if (rows.length === 0) return { upserted: 0, deleted: deletedIds.length, mirroredDelta: adopt.length - removed, issues };
  // The JSON made with the slice is still right when no row changed since (the common case); else only
  // its pieces with a changed or skipped row are made again.
  const unchanged = rows.length === sliceRows.length && rows.every((row, index) => row === sliceRows[index]);
  const json = unchanged ? prepared.json : jsonAfterChanges(prepared, rowsNow(sliceRows, incoming, rows));
  // None of these contacts is stored for the connection (adopted rows are, once adopted): plain inserts.
  const allNew = adopt.length === 0 && rows.every((row) => !rowBySfId.has(row.salesforce_contact_id));
  const inserted = await upsertRows(trx, CONTACT_UPSERT, context, rows, { json, allNew });
  // Adopted FastFollow-only rows became mirrored too (an update, not an insert).
  return { upserted: rows.length, deleted: deletedIds.length, mirroredDelta: inserted + adopt.length - removed, issues };
}

/** Each prepared row as it is now written (`rows[i]` settled from `incoming[i]`), null if skipped. */
function rowsNow(sliceRows: ContactRow[], incoming: ContactRow[], rows: ContactRow[]): Array<ContactRow | null> {
  const settled = new Map(incoming.map((row, index) => [row, rows[index]!]));
  return sliceRows.map((row) => settled.get(row) ?? null);
}

/**
 * Who holds these emails today, and what these contacts look like today: one query. Emails are
 * unique per (account, environment), FastFollow-only contacts counting as production: so production
 * contests emails with (and adopts) FastFollow's own contacts, and a sandbox only with its own rows.
 */
async function storedContacts(trx: Transaction<Database>, { accountId, connectionId, environment }: ApplyContext, rows: ContactRow[]): Promise<StoredContact[]> {
  const emails = [...new Set(rows.flatMap((row) => (row.email ? [row.email] : [])))];
  const ids = rows.map((row) => row.salesforce_contact_id);
  // Two index lookups joined by UNION, not one OR: with OR Postgres scanned all the account's contacts
  // for every page (a cost growing with the table). The connection implies the account and environment.
  // Arrays, not IN lists: one parameter, not one per row.
  const { rows: found } = await sql<StoredContact>`
    select id, salesforce_contact_id, salesforce_connection_id, salesforce_modstamp, lower(email) as email_key from contacts
      where account_id = ${accountId} and coalesce(salesforce_environment, 'production') = ${environment} and lower(email) = any(${emails}::text[])
    union
    select id, salesforce_contact_id, salesforce_connection_id, salesforce_modstamp, lower(email) as email_key from contacts
      where salesforce_connection_id = ${connectionId} and salesforce_contact_id = any(${ids}::text[])`.execute(trx);
  return found;
}

/** Decides each incoming email against its current holder (domain/sync/duplicates.ts); pushes the issues it finds. */
function settleEmails(
  incoming: ContactRow[],
  existing: StoredContact[],
  rowBySfId: Map<string, StoredContact>,
  issues: SyncIssue[],
  connectionId: string,
): EmailSettlement {
  // A holder that is itself in this page is about to get its new email (the batch rule already
  // settled conflicts inside the page), so only contacts outside the page can contest an email.
  const inPage = new Set(incoming.map((row) => row.salesforce_contact_id));
  const holderByEmail = new Map(
    existing
      .filter((row) => row.email_key && !(row.salesforce_connection_id === connectionId && inPage.has(row.salesforce_contact_id!)))
      .map((row) => [row.email_key!, row]),
  );
  const demote: string[] = [];
  const adopt: Array<{ id: string; sfId: string }> = [];
  // Nobody else holds any of these emails (the usual case): every incoming row keeps its own.
  if (holderByEmail.size === 0) return { rows: incoming, demote, adopt };
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
      case 'same':
        // The same Id on a row no connection owns (left from before rows had connections): it gives way.
        if (holder!.salesforce_connection_id !== null) return row;
        demote.push(holder!.id);
        return row;
      default:
        return row;
    }
  });
  return { rows, demote, adopt };
}

/** Frees every email that is about to move before the upsert, so swaps within a page cannot collide; links adopted rows. */
async function freeEmailsAndAdopt(
  trx: Transaction<Database>,
  { connectionId, environment }: ApplyContext,
  rows: ContactRow[],
  rowBySfId: Map<string, StoredContact>,
  demote: string[],
  adopt: EmailSettlement['adopt'],
): Promise<void> {
  const moving = rowBySfId.size === 0 ? [] : rows.flatMap((row) => {
    const current = rowBySfId.get(row.salesforce_contact_id);
    return current && current.email_key !== row.email ? [current.id] : [];
  });
  const clear = [...demote, ...moving];
  if (clear.length > 0) await trx.updateTable('contacts').set({ email: null, updated_at: new Date() }).where(sql<boolean>`id = any(${clear}::uuid[])`).execute();
  for (const { id, sfId } of adopt) {
    await trx
      .updateTable('contacts')
      .set({ salesforce_contact_id: sfId, salesforce_connection_id: connectionId, salesforce_environment: environment })
      .where('id', '=', id)
      .execute();
  }
}

const CONTACT_UPSERT: UpsertSpec = {
  table: 'contacts',
  idColumn: 'salesforce_contact_id',
  partialKey: true,
  update: ['full_name', 'email', 'phone', 'company_name', 'salesforce_account_id'],
  touch: true,
  overwriteUnstamped: true,
};

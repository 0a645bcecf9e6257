import { sql, type Transaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database } from './schema.js';
import { dropPendingEdits } from './outbox.js';
import { replaceRecordIssues } from './sync-errors.js';
import { applyContacts } from './mirror-contacts.js';
import { prepareSlice, type PreparedSlice } from './mirror-prepare.js';
import { applyCustomValues } from './mirror-custom.js';
import { bornCreatesInFlight, linkEchoedBornRecords } from './born-echoes.js';
import type { QueuedBornRecord } from './born-records.js';
import { mappedFields } from './field-mappings.js';
import { readsFromSalesforce } from '../domain/field-mappings.js';
import { anyStored, anyStoredCondition, countDeleted, upsertRows, type ApplyContext, type ApplyResult, type SalesforceRecord, type UpsertSpec } from './mirror-rows.js';
import type { SyncedObject } from '../domain/synced-objects.js';

export type { ApplyContext, ApplyResult, SalesforceRecord } from './mirror-rows.js';
export type MappedField = Awaited<ReturnType<typeof mappedFields>>[number];

/** What applying a page looks up once, not once per slice of it. */
export interface PageLookups {
  /** The connection's Salesforce → FastFollow custom fields of the object (none for Account). */
  customFields: MappedField[];
  /** Born records whose create is in flight (db/born-echoes.ts); the page's slices share and consume it. */
  bornInFlight: QueuedBornRecord[];
  /** Whether any sync error was recorded for the object when the page began: if none, its slices have none to clear. */
  errorsRecorded: boolean;
  /**
   * Account pages: whether any contact of the connection names an Account (else an Account's name has no
   * contact to reach: the initial read writes Accounts first). Only the sync's Contact pages, read one page
   * at a time with this one, write that column for the connection.
   */
  contactsNameAccounts: boolean;
  /**
   * Account pages whose records were all in hand when the page began: none of their Ids was stored for the
   * connection (and none repeats in the page), so their slices are plain inserts. Looked up in the page's
   * first statement: a probe per 1,000-row slice cost about what the plain insert saves.
   */
  pageAllNew: boolean;
}

/**
 * Starts applying a page in `trx`: marks the transaction's writes as the sync's own (so FastFollow-side
 * change capture ignores them; transaction-local, so once for all its slices) and looks up what every slice
 * needs. The mark and the page's flags are one statement: a REST page of 2,000 Accounts takes ~20 ms to
 * write, and each round trip more showed in its time.
 */
export async function beginPageApply(trx: Transaction<Database>, connectionId: string, object: SyncedObject, pageRecords?: readonly SalesforceRecord[]): Promise<PageLookups> {
  // Account pages: a contact naming an Account of the connection (else an Account's name has no contact to reach).
  const contactsNameAccounts =
    object === 'Account' ? sql`exists(select 1 from contacts where salesforce_connection_id = ${connectionId} and salesforce_account_id is not null)` : sql`false`;
  // A page whose records are all here (`pageRecords`, a REST page) has its Accounts' Ids looked up at once.
  const pageIds = object === 'Account' ? pageRecords?.map((record) => String(record.Id)) : undefined;
  const probeIds = pageIds !== undefined && pageIds.length > 0 && new Set(pageIds).size === pageIds.length ? pageIds : undefined;
  const pageStored = probeIds ? anyStoredCondition(ACCOUNT_UPSERT, connectionId, probeIds) : sql`true`;
  const { rows } = await sql<{ errors_recorded: boolean; contacts_name_accounts: boolean; page_stored: boolean }>`
    select set_config('fastfollow.sync_origin', 'salesforce', true) as origin,
      exists(select 1 from salesforce_sync_errors where connection_id = ${connectionId} and object = ${object}) as errors_recorded,
      ${contactsNameAccounts} as contacts_name_accounts, ${pageStored} as page_stored`.execute(trx);
  const flags = rows[0]!;
  const customFields = object === 'Account' ? [] : await mappedFields(trx, connectionId, object, readsFromSalesforce);
  return {
    customFields,
    bornInFlight: await bornCreatesInFlight(trx, connectionId, object),
    errorsRecorded: flags.errors_recorded,
    contactsNameAccounts: flags.contacts_name_accounts,
    pageAllNew: !flags.page_stored,
  };
}

/**
 * Applies one page of Salesforce records to FastFollow's tables inside the caller's transaction
 * (the same one that advances the cursor). Idempotent: rows are keyed by Salesforce Id and an
 * older SystemModstamp never overwrites a newer one, so a retried or re-read page changes nothing.
 * Deleted records (queryAll, IsDeleted = true) are removed: Salesforce is the source of truth, and
 * follow-ups that referenced them keep their data (their foreign keys are set null).
 */
export async function applyPage(
  trx: Transaction<Database>,
  context: ApplyContext,
  object: SyncedObject,
  records: SalesforceRecord[],
): Promise<ApplyResult> {
  const lookups = await beginPageApply(trx, context.connectionId, object, records);
  return applyPreparedSlice(trx, context, prepareSlice(object, records), lookups);
}

/**
 * One slice of a page, mapped beforehand (db/mirror-prepare.ts, e.g. while the previous slice was written),
 * in the transaction `beginPageApply` started.
 */
export async function applyPreparedSlice(trx: Transaction<Database>, context: ApplyContext, slice: PreparedSlice, lookups: PageLookups): Promise<ApplyResult> {
  const { object, records, live, rows } = slice;
  const { customFields, bornInFlight } = lookups;
  // Records FastFollow created whose create answer is not stored yet become their born rows, not new ones.
  const echoes = await linkEchoedBornRecords(trx, context.connectionId, object, live, bornInFlight);
  let result: ApplyResult;
  if (object === 'Account') result = await applyAccounts(trx, context, slice, lookups);
  else if (object === 'Contact') result = await applyContacts(trx, context, slice);
  else result = await applyOpportunities(trx, context, slice);
  if (object !== 'Account' && live.length > 0 && customFields.length > 0) {
    // The slice has one prepared row per live record, in order, each with its parsed modstamp.
    const modstamps = new Map(live.map((record, index) => [String(record.Id), rows[index]!.salesforce_modstamp]));
    await applyCustomValues(trx, context.connectionId, object, customFields, live, modstamps);
  }
  await replaceRecordIssues(trx, context.connectionId, object, lookups.errorsRecorded ? records.map((record) => String(record.Id)) : [], result.issues);
  return { ...result, mirroredDelta: result.mirroredDelta + echoes };
}

const ACCOUNT_UPSERT: UpsertSpec = {
  table: 'salesforce_accounts',
  idColumn: 'salesforce_account_id',
  partialKey: false,
  update: ['name'],
  touch: false,
  overwriteUnstamped: false,
};

const DEAL_UPSERT: UpsertSpec = {
  table: 'deals',
  idColumn: 'salesforce_opportunity_id',
  partialKey: true,
  update: ['title', 'value', 'stage', 'expected_close_date', 'salesforce_account_id'],
  touch: true,
  overwriteUnstamped: true,
};

async function applyAccounts(trx: Transaction<Database>, context: ApplyContext, { rows, json, issues, deletedIds }: PreparedSlice, { contactsNameAccounts, pageAllNew }: PageLookups): Promise<ApplyResult> {
  const { connectionId } = context;
  let inserted = 0;
  let removed = 0;
  if (rows.length > 0) inserted = await upsertRows(trx, ACCOUNT_UPSERT, context, rows, { json, allNew: pageAllNew });
  if (rows.length > 0 && contactsNameAccounts) {
    // An Account rename reaches its contacts here: their own SystemModstamp does not change.
    await sql`
      update contacts c set company_name = a.name, updated_at = now()
      from salesforce_accounts a
      where a.salesforce_connection_id = ${connectionId} and c.salesforce_connection_id = a.salesforce_connection_id
        and c.salesforce_account_id = a.salesforce_account_id
        and a.salesforce_account_id = any(${rows.map((row) => row.salesforce_account_id)}::text[])
        and c.company_name is distinct from a.name`.execute(trx);
  }
  if (deletedIds.length > 0) {
    removed = countDeleted(
      await trx.deleteFrom('salesforce_accounts').where('salesforce_connection_id', '=', connectionId).where(sql<boolean>`salesforce_account_id = any(${deletedIds}::text[])`).execute(),
    );
    if (contactsNameAccounts) {
      await trx
        .updateTable('contacts')
        .set({ company_name: null, updated_at: new Date() })
        .where('salesforce_connection_id', '=', connectionId)
        .where(sql<boolean>`salesforce_account_id = any(${deletedIds}::text[])`)
        .execute();
    }
  }
  return { upserted: rows.length, deleted: deletedIds.length, mirroredDelta: inserted - removed, issues };
}

async function applyOpportunities(trx: Transaction<Database>, context: ApplyContext, { rows, json, issues, deletedIds }: PreparedSlice): Promise<ApplyResult> {
  const { connectionId } = context;
  let inserted = 0;
  let removed = 0;
  if (deletedIds.length > 0) {
    removed = countDeleted(
      await trx.deleteFrom('deals').where('salesforce_connection_id', '=', connectionId).where(sql<boolean>`salesforce_opportunity_id = any(${deletedIds}::text[])`).execute(),
    );
  }
  if (rows.length > 0) {
    const allNew = !(await anyStored(trx, DEAL_UPSERT, connectionId, rows.map((row) => String(row.salesforce_opportunity_id))));
    inserted = await upsertRows(trx, DEAL_UPSERT, context, rows, { json, allNew });
  }
  return { upserted: rows.length, deleted: deletedIds.length, mirroredDelta: inserted - removed, issues };
}

/**
 * Removes the connection's rows of these Salesforce records, exactly as deletes read from queryAll are
 * applied (follow-ups keep their data, the records' sync errors go). For deletes found another way:
 * getDeleted, or an Id reconciliation after records were purged from the recycle bin.
 */
export async function removeMirroredRecords(trx: Transaction<Database>, context: ApplyContext, object: SyncedObject, salesforceIds: string[]): Promise<ApplyResult> {
  const tombstones = salesforceIds.map((id): SalesforceRecord => ({ Id: id, IsDeleted: true }) as SalesforceRecord);
  return applyPage(trx, context, object, tombstones);
}

/** How many rows of `object` the connection has mirrored: what status shows as the object's progress. */
export async function countMirrored(trx: Transaction<Database>, connectionId: string, object: SyncedObject): Promise<number> {
  const counted =
    object === 'Account'
      ? sql<{ count: string }>`select count(*) from salesforce_accounts where salesforce_connection_id = ${connectionId}`
      : object === 'Contact'
        ? sql<{ count: string }>`select count(*) from contacts where salesforce_connection_id = ${connectionId} and salesforce_contact_id is not null`
        : sql<{ count: string }>`select count(*) from deals where salesforce_connection_id = ${connectionId} and salesforce_opportunity_id is not null`;
  const { rows } = await counted.execute(trx);
  return Number(rows[0]?.count ?? 0);
}

/** Rows removed per statement when a connection's mirror is emptied: short transactions on a live table. */
const REMOVE_BATCH = 5_000;

/**
 * Removes every row the connection mirrored (its org was replaced by another), in batches. Follow-ups
 * keep their data (their references are set null); unsent write-back edits are dropped. Returns how many rows went.
 */
export async function removeMirrorOfConnection(db: Db, connectionId: string): Promise<number> {
  let removed = 0;
  for (const table of ['contacts', 'deals', 'salesforce_accounts'] as const) {
    for (;;) {
      const { numAffectedRows } = await sql`
        delete from ${sql.table(table)} where ctid = any(array(
          select ctid from ${sql.table(table)} where salesforce_connection_id = ${connectionId} limit ${REMOVE_BATCH}))`.execute(db);
      const count = Number(numAffectedRows ?? 0);
      removed += count;
      if (count < REMOVE_BATCH) break;
    }
  }
  await db.deleteFrom('salesforce_sync_errors').where('connection_id', '=', connectionId).execute();
  await dropPendingEdits(db, connectionId);
  return removed;
}

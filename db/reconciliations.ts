import { sql, type Transaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database } from './schema.js';
import type { SalesforceReconciliationsTable } from './schema-reconciliations.js';
import type { SyncedObject } from '../domain/synced-objects.js';
import type { Selectable, Updateable } from 'kysely';

// The one owner of salesforce_reconciliations and salesforce_reconciliation_ids: how far each
// object's deletes are known to be applied, and the Id reconciliation that catches deletes queryAll
// could no longer show (records purged from the recycle bin, hard deletes).

export type ReconciliationRow = Selectable<SalesforceReconciliationsTable>;

export interface ReconciliationKey {
  connectionId: string;
  object: SyncedObject;
}

type Executor = Db | Transaction<Database>;

async function read(db: Executor, { connectionId, object }: ReconciliationKey): Promise<ReconciliationRow | undefined> {
  return db.selectFrom('salesforce_reconciliations').selectAll().where('connection_id', '=', connectionId).where('object', '=', object).executeTakeFirst();
}

/** Loads (creating if needed) the object's reconciliation row. */
export async function loadReconciliation(db: Db, key: ReconciliationKey): Promise<ReconciliationRow> {
  const existing = await read(db, key);
  if (existing) return existing;
  await db.insertInto('salesforce_reconciliations').values({ connection_id: key.connectionId, object: key.object }).onConflict((oc) => oc.doNothing()).execute();
  return (await read(db, key))!;
}

async function update(db: Executor, { connectionId, object }: ReconciliationKey, change: Updateable<SalesforceReconciliationsTable>): Promise<void> {
  await db
    .updateTable('salesforce_reconciliations')
    .set(change)
    .where('connection_id', '=', connectionId)
    .where('object', '=', object)
    .execute();
}

/** Deletes are applied through `coveredThrough` (checked at `checkedAt`): getDeleted covered the gap, or nothing needed checking yet. */
export async function recordDeletesCovered(db: Executor, key: ReconciliationKey, coveredThrough: Date, checkedAt: Date): Promise<void> {
  await update(db, key, { covered_through: coveredThrough, checked_at: checkedAt });
}

/** Starts an Id reconciliation: Salesforce's Ids are listed from the start, the staged ones dropped. */
export async function startIdReconciliation(db: Db, key: ReconciliationKey, since: Date, reason: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await clearStagedIds(trx, key);
    await update(trx, key, { running_since: since, running_reason: reason, locator: null });
  });
}

/** The Id listing's query locator expired: list again from the start (the snapshot time stays). */
export async function restartIdListing(db: Db, key: ReconciliationKey): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await clearStagedIds(trx, key);
    await update(trx, key, { locator: null });
  });
}

/** One page of Salesforce's Ids, staged together with the locator of the next page. */
export async function stageListedIds(db: Db, key: ReconciliationKey, ids: string[], locator: string | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (ids.length > 0) {
      await trx
        .insertInto('salesforce_reconciliation_ids')
        .values(ids.map((id) => ({ connection_id: key.connectionId, object: key.object, salesforce_id: id })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await update(trx, key, { locator });
  });
}

const MIRROR: Record<SyncedObject, { table: string; column: string }> = {
  Account: { table: 'salesforce_accounts', column: 'salesforce_account_id' },
  Contact: { table: 'contacts', column: 'salesforce_contact_id' },
  Opportunity: { table: 'deals', column: 'salesforce_opportunity_id' },
};

/** Up to `limit` Ids the connection mirrors for the object that Salesforce's listing did not contain. */
export async function mirroredIdsNotListed(db: Executor, key: ReconciliationKey, limit: number): Promise<string[]> {
  const { table, column } = MIRROR[key.object];
  const { rows } = await sql<{ id: string }>`
    select m.${sql.ref(column)} as id from ${sql.table(table)} m
    where m.salesforce_connection_id = ${key.connectionId} and m.${sql.ref(column)} is not null
      and not exists (
        select 1 from salesforce_reconciliation_ids s
        where s.connection_id = ${key.connectionId} and s.object = ${key.object} and s.salesforce_id = m.${sql.ref(column)})
    limit ${limit}`.execute(db);
  return rows.map((row) => row.id);
}

/** The reconciliation ended: its counts recorded, deletes covered through its start, the staged Ids dropped. */
export async function finishIdReconciliation(db: Db, key: ReconciliationKey, outcome: { removed: number; coveredThrough: Date; at: Date; reason: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await clearStagedIds(trx, key);
    await update(trx, key, {
      running_since: null,
      running_reason: null,
      locator: null,
      covered_through: outcome.coveredThrough,
      checked_at: outcome.at,
      last_run_at: outcome.at,
      last_reason: outcome.reason,
      last_removed: outcome.removed,
    });
    await trx
      .updateTable('salesforce_reconciliations')
      .set((eb) => ({ total_removed: eb('total_removed', '+', String(outcome.removed)) }))
      .where('connection_id', '=', key.connectionId)
      .where('object', '=', key.object)
      .execute();
  });
}

async function clearStagedIds(trx: Transaction<Database>, { connectionId, object }: ReconciliationKey): Promise<void> {
  await trx.deleteFrom('salesforce_reconciliation_ids').where('connection_id', '=', connectionId).where('object', '=', object).execute();
}

/** Every object's reconciliation state of a connection (support's health view). */
export async function reconciliationsOf(db: Db, connectionId: string): Promise<ReconciliationRow[]> {
  return db.selectFrom('salesforce_reconciliations').selectAll().where('connection_id', '=', connectionId).orderBy('object').execute();
}

import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database } from './schema.js';
import { customKey, readsFromSalesforce, type DescribedField, type Direction, type FieldMapping, type MappingObject } from '../domain/field-mappings.js';

// A connection's custom field mappings, the cached describe they were checked against, and the
// bookkeeping of backfills (a new Salesforce → FastFollow mapping reads existing values once).

type Queryable = Kysely<Database> | Transaction<Database>;

export interface StoredMapping extends FieldMapping {
  salesforceType: string;
  backfillPending: boolean;
  backfilledAt: string | null;
  broken: { code: string; message: string | null; at: string | null } | null;
}

export async function listMappings(db: Queryable, connectionId: string): Promise<StoredMapping[]> {
  const rows = await db.selectFrom('salesforce_field_mappings').selectAll().where('salesforce_connection_id', '=', connectionId).orderBy('object').orderBy('salesforce_field').execute();
  return rows.map((row) => ({
    object: row.object,
    salesforceField: row.salesforce_field,
    fastfollowField: row.fastfollow_field,
    direction: row.direction,
    salesforceType: row.salesforce_type,
    backfillPending: row.backfill_pending,
    backfilledAt: row.backfilled_at?.toISOString() ?? null,
    broken: row.broken_code ? { code: row.broken_code, message: row.broken_message, at: row.broken_at?.toISOString() ?? null } : null,
  }));
}

/**
 * Replaces the connection's custom mappings. A mapping that newly reads from Salesforce (new, or its
 * direction now includes Salesforce → FastFollow) is queued for a backfill; unchanged ones keep their state.
 */
export async function replaceMappings(db: Db, connectionId: string, mappings: Array<FieldMapping & { salesforceType: string; salesforceCreateable: boolean }>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = new Map((await listMappings(trx, connectionId)).map((m) => [`${m.object}.${m.salesforceField}`, m]));
    await trx.deleteFrom('salesforce_field_mappings').where('salesforce_connection_id', '=', connectionId).execute();
    if (mappings.length === 0) return;
    await trx.insertInto('salesforce_field_mappings').values(mappings.map((m) => {
      const old = before.get(`${m.object}.${m.salesforceField}`);
      const keep = old && old.fastfollowField === m.fastfollowField && (readsFromSalesforce(old.direction) || !readsFromSalesforce(m.direction));
      return {
        salesforce_connection_id: connectionId,
        object: m.object,
        salesforce_field: m.salesforceField,
        salesforce_type: m.salesforceType,
        salesforce_createable: m.salesforceCreateable,
        fastfollow_field: m.fastfollowField,
        direction: m.direction,
        backfill_pending: keep ? old.backfillPending : readsFromSalesforce(m.direction),
        backfilled_at: keep && old.backfilledAt ? new Date(old.backfilledAt) : null,
      };
    })).execute();
  });
}

/** Mapped custom fields of one object that the given direction test selects (e.g. read on sync, written back). */
export async function mappedFields(db: Queryable, connectionId: string, object: MappingObject, which: (direction: Direction) => boolean): Promise<Array<{ salesforceField: string; key: string; type: string; createable: boolean }>> {
  // A field Salesforce no longer shows (INVALID_FIELD) stays out of queries until the mappings are saved again.
  const rows = await db.selectFrom('salesforce_field_mappings').select(['salesforce_field', 'fastfollow_field', 'salesforce_type', 'salesforce_createable', 'direction'])
    .where('salesforce_connection_id', '=', connectionId).where('object', '=', object)
    .where((eb) => eb.or([eb('broken_code', 'is', null), eb('broken_code', '!=', 'INVALID_FIELD')]))
    .orderBy('salesforce_field').execute();
  return rows.filter((row) => which(row.direction)).flatMap((row) => {
    const key = customKey(row.fastfollow_field);
    return key ? [{ salesforceField: row.salesforce_field, key, type: row.salesforce_type, createable: row.salesforce_createable }] : [];
  });
}

export async function storeDescribe(db: Db, connectionId: string, object: string, fields: DescribedField[]): Promise<void> {
  await db.insertInto('salesforce_describe_cache').values({ salesforce_connection_id: connectionId, object, fields: JSON.stringify(fields) })
    .onConflict((oc) => oc.columns(['salesforce_connection_id', 'object']).doUpdateSet({ fields: JSON.stringify(fields), fetched_at: sql`now()` }))
    .execute();
}

/** Marks mappings Salesforce refused on a write (visible in support health until the mappings are saved again). */
export async function flagBrokenMappings(db: Queryable, connectionId: string, object: string, salesforceFields: string[], code: string, message: string): Promise<void> {
  if (salesforceFields.length === 0) return;
  await db.updateTable('salesforce_field_mappings').set({ broken_code: code, broken_message: message, broken_at: sql`now()` })
    .where('salesforce_connection_id', '=', connectionId).where('object', '=', object as MappingObject)
    .where(sql<string>`lower(salesforce_field)`, 'in', salesforceFields.map((f) => f.toLowerCase())).execute();
}

export interface BackfillWork {
  object: 'Contact' | 'Opportunity';
  fields: Array<{ salesforceField: string; key: string; type: string }>;
  afterId: string | null;
}

/** The next object with mappings waiting for a backfill, its pending fields, and where the backfill stands. */
export async function nextBackfill(db: Queryable, connectionId: string): Promise<BackfillWork | null> {
  const rows = await db.selectFrom('salesforce_field_mappings').select(['object', 'salesforce_field', 'fastfollow_field', 'salesforce_type', 'backfill_after_id'])
    .where('salesforce_connection_id', '=', connectionId).where('backfill_pending', '=', true).where('object', 'in', ['Contact', 'Opportunity'])
    .where((eb) => eb.or([eb('broken_code', 'is', null), eb('broken_code', '!=', 'INVALID_FIELD')]))
    .orderBy('object').orderBy('salesforce_field').execute();
  const object = rows[0]?.object as BackfillWork['object'] | undefined;
  if (!object) return null;
  const mine = rows.filter((row) => row.object === object);
  // Fields added while a backfill of the object ran start over with it (the smallest position wins).
  const afterId = mine.some((row) => row.backfill_after_id === null) ? null : mine.map((row) => row.backfill_after_id!).sort()[0]!;
  return { object, afterId, fields: mine.map((row) => ({ salesforceField: row.salesforce_field, key: customKey(row.fastfollow_field)!, type: row.salesforce_type })) };
}

export async function backfillPendingCount(db: Queryable, connectionId: string): Promise<number> {
  const row = await db.selectFrom('salesforce_field_mappings').select(sql<string>`count(*)`.as('n')).where('salesforce_connection_id', '=', connectionId).where('backfill_pending', '=', true)
    .where('object', 'in', ['Contact', 'Opportunity']).where((eb) => eb.or([eb('broken_code', 'is', null), eb('broken_code', '!=', 'INVALID_FIELD')])).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Records a backfill page's position (in the transaction that applied it); done ends it. */
export async function advanceBackfill(trx: Transaction<Database>, connectionId: string, work: BackfillWork, lastId: string | null, done: boolean): Promise<void> {
  await trx.updateTable('salesforce_field_mappings')
    .set(done ? { backfill_pending: false, backfill_after_id: null, backfilled_at: sql`now()` } : { backfill_after_id: lastId })
    .where('salesforce_connection_id', '=', connectionId).where('object', '=', work.object)
    .where('salesforce_field', 'in', work.fields.map((f) => f.salesforceField)).execute();
}

/** The Salesforce fields a connection's reads of `object` select beside the default ones (mapped to FastFollow). */
export async function readFieldNames(db: Queryable, connectionId: string, object: 'Account' | 'Contact' | 'Opportunity'): Promise<string[]> {
  if (object === 'Account') return [];
  return (await mappedFields(db, connectionId, object, readsFromSalesforce)).map((field) => field.salesforceField);
}

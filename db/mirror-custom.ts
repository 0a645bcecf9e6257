import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { toFastFollowValue } from '../domain/field-mappings.js';

// Values of mapped custom fields read from Salesforce, merged into the rows' custom_fields.

export interface CustomReadField {
  salesforceField: string;
  key: string;
  type: string;
}

const TABLES = { Contact: ['contacts', 'salesforce_contact_id'], Opportunity: ['deals', 'salesforce_opportunity_id'] } as const;

/**
 * Merges the records' values of `fields` into custom_fields of the connection's rows (fields a record
 * does not carry are left alone: a read begun before a mapping existed). With `modstamps`, only rows
 * whose stored version is the record's (a re-read of an older version changes nothing).
 */
export async function applyCustomValues(
  trx: Transaction<Database>, connectionId: string, object: 'Contact' | 'Opportunity', fields: CustomReadField[],
  records: Array<Record<string, unknown>>, modstamps?: Map<string, Date>,
): Promise<void> {
  if (fields.length === 0 || records.length === 0) return;
  const updates = records.flatMap((record) => {
    const carried = fields.filter((field) => Object.hasOwn(record, field.salesforceField));
    if (carried.length === 0) return [];
    const values = Object.fromEntries(carried.map((field) => [field.key, toFastFollowValue(field.type, record[field.salesforceField])]));
    const id = String(record.Id);
    return [{ id, values: JSON.stringify(values), stamp: modstamps?.get(id)?.toISOString() ?? null }];
  });
  if (updates.length === 0) return;
  const [table, idColumn] = TABLES[object];
  await sql`
    update ${sql.table(table)} t set custom_fields = t.custom_fields || u.values::jsonb
    from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as u(id text, values text, stamp timestamptz)
    where t.salesforce_connection_id = ${connectionId} and t.${sql.ref(idColumn)} = u.id
      and (u.stamp is null or t.salesforce_modstamp is null or t.salesforce_modstamp <= u.stamp)`.execute(trx);
}

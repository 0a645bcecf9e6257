import type { Db } from '../db/connect.js';
import { mappedFields } from '../db/field-mappings.js';
import { writesToSalesforce } from '../domain/field-mappings.js';
import type { CustomWriteFields, WriteBackObject } from '../domain/write-back.js';

// The connection's custom fields mapped to Salesforce, as write-back needs them.

export interface CustomWrites {
  /** FastFollow field (`custom.<key>`) → Salesforce field, per object. */
  fields: CustomWriteFields;
  /** Salesforce field → its describe type, per object (for the value Salesforce takes). */
  types: Partial<Record<WriteBackObject, Record<string, string>>>;
  /** Fields set when a record born in FastFollow is created (mapped to Salesforce and createable). */
  onCreate: Partial<Record<WriteBackObject, Array<{ key: string; salesforceField: string; type: string }>>>;
}

export async function customWriteFields(db: Db, connectionId: string): Promise<CustomWrites> {
  const result: CustomWrites = { fields: {}, types: {}, onCreate: {} };
  for (const object of ['Contact', 'Opportunity'] as const) {
    const mapped = await mappedFields(db, connectionId, object, writesToSalesforce);
    result.fields[object] = Object.fromEntries(mapped.map((field) => [`custom.${field.key}`, field.salesforceField]));
    result.types[object] = Object.fromEntries(mapped.map((field) => [field.salesforceField, field.type]));
    result.onCreate[object] = mapped.filter((field) => field.createable);
  }
  return result;
}

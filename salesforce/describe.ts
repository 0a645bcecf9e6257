import type jsforce from 'jsforce';
import type { DescribedField } from '../domain/field-mappings.js';

// The org's field metadata as the connected user sees it (hidden fields are absent), and the narrow
// read a backfill of newly mapped fields makes. Field names here come from describe, never a caller.

const FIELD = /^[A-Za-z][A-Za-z0-9_]*$/;
const ID = /^[A-Za-z0-9]{15,18}$/;

interface RawField {
  name: string;
  type: string;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  calculated?: boolean;
  length?: number;
  picklistValues?: Array<{ value: string; active?: boolean }>;
}

export async function describeFields(conn: jsforce.Connection, object: 'Contact' | 'Account' | 'Opportunity'): Promise<DescribedField[]> {
  const described = (await conn.sobject(object).describe()) as unknown as { fields: RawField[] };
  return described.fields.map((field) => ({
    name: field.name,
    type: field.type,
    createable: field.createable,
    updateable: field.updateable,
    nillable: field.nillable,
    calculated: field.calculated ?? false,
    length: field.length ?? 0,
    picklistValues: (field.picklistValues ?? []).filter((value) => value.active !== false).map((value) => value.value),
  }));
}

/** One keyset page (by Id) of `fields` of every record of `object`: Id and the fields only. */
export async function readFieldsPage(conn: jsforce.Connection, object: 'Contact' | 'Opportunity', fields: string[], afterId: string | null, limit: number): Promise<Array<Record<string, unknown>>> {
  for (const field of fields) if (!FIELD.test(field)) throw new Error(`Not a field name: ${JSON.stringify(field)}`);
  if (afterId !== null && !ID.test(afterId)) throw new Error(`Not a Salesforce Id: ${JSON.stringify(afterId)}`);
  const where = afterId === null ? '' : ` WHERE Id > '${afterId}'`;
  const result = await conn.query<Record<string, unknown>>(`SELECT Id, ${fields.join(', ')} FROM ${object}${where} ORDER BY Id LIMIT ${limit}`, { autoFetch: false });
  return result.records;
}

import type jsforce from 'jsforce';

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * Salesforce's current values of `fields` (and SystemModstamp) for records of one type, in one SOQL
 * query (≤ 200 Ids). Records Salesforce no longer has are absent from the map (keyed by 18-char and
 * 15-char Id alike).
 */
export async function currentValues(conn: jsforce.Connection, type: 'Contact' | 'Opportunity', ids: string[], fields: string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  if (ids.length === 0) return found;
  for (const id of ids) if (!SALESFORCE_ID.test(id)) throw new Error(`Not a Salesforce Id: ${JSON.stringify(id)}`);
  for (const field of fields) if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) throw new Error(`Not a field name: ${JSON.stringify(field)}`);
  const select = ['Id', 'SystemModstamp', ...fields.filter((f) => f !== 'Id' && f !== 'SystemModstamp')].join(', ');
  const soql = `SELECT ${select} FROM ${type} WHERE Id IN (${ids.map((id) => `'${id}'`).join(', ')})`;
  const result = await conn.query<Record<string, unknown>>(soql);
  for (const record of result.records) {
    const id = String(record.Id);
    found.set(id, record);
    found.set(id.slice(0, 15), record);
  }
  return found;
}

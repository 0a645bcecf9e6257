// Rows as the REST API returns them: {attributes:{type,url}, Field: value…}, datetimes in
// Salesforce's "+0000" form, only the fields the caller may see.
import { sfDateTime } from '../clock.js';
import type { ObjectDef } from '../schema.js';
import type { Row } from '../store.js';

export function recordUrl(apiVersion: string, objectName: string, id: string): string {
  return `/services/data/v${apiVersion}/sobjects/${objectName}/${id}`;
}

export function rowToJson(obj: ObjectDef, row: Row, apiVersion: string, onlyFields?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: obj.name, url: recordUrl(apiVersion, obj.name, row.Id as string) } };
  const wanted = onlyFields?.map((f) => f.toLowerCase());
  for (const f of obj.fields) {
    if (wanted && !wanted.includes(f.name.toLowerCase())) continue;
    const v = row[f.name] ?? null;
    out[f.name] = f.type === 'datetime' && typeof v === 'string' ? sfDateTime(v) : v;
  }
  return out;
}

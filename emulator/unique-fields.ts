// Unique custom fields (often External IDs): like Salesforce's unique index, a save that would give a
// second live record the same value fails with DUPLICATE_VALUE naming the record that holds it.
import type { SaveError } from './dml.js';
import type { ObjectDef } from './schema.js';
import type { Org, Row } from './store.js';

/** A unique field whose value another live record already holds (the database's unique index). */
export function duplicateValue(org: Org, obj: ObjectDef, row: Row): SaveError | undefined {
  for (const f of obj.fields) {
    if (!f.unique || row[f.name] === null || row[f.name] === undefined) continue;
    const norm = (v: unknown) => (f.caseSensitive ? String(v) : String(v).toLowerCase());
    const value = norm(row[f.name]);
    for (const other of org.table(obj.name).rows.values()) {
      if (other.IsDeleted === true || other.Id === row.Id || other[f.name] === null || other[f.name] === undefined) continue;
      if (norm(other[f.name]) === value) {
        return {
          statusCode: 'DUPLICATE_VALUE',
          message: `duplicate value found: ${f.name} duplicates value on record with id: ${String(other.Id)}`,
          fields: [],
        };
      }
    }
  }
  return undefined;
}

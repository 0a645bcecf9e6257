import { describe, expect, it } from 'vitest';
import { jsonAfterChanges, prepareSlice, type MirrorRow } from '../../../db/mirror-prepare.js';
import { rowsAsJson, type SalesforceRecord } from '../../../db/mirror-rows.js';

// A slice's upsert JSON is made ahead in pieces; when the apply changes a few rows (an email given up to
// an older contact) or skips some (older than stored), only the pieces holding them are made again. The
// result must be exactly the JSON of the rows as they are now.

const contact = (n: number): SalesforceRecord =>
  ({ Id: `003C${String(n).padStart(14, '0')}`, FirstName: 'Ann', LastName: `Lee ${n}`, Email: `ann${n}@example.com`, Phone: null, AccountId: null, Account: null, SystemModstamp: '2024-05-01T12:00:00.000+0000', IsDeleted: false }) as SalesforceRecord;

describe('jsonAfterChanges', () => {
  const slice = prepareSlice('Contact', Array.from({ length: 1_234 }, (_, n) => contact(n)));

  it('the prepared pieces join to the slice JSON', () => {
    expect(slice.jsonParts.length).toBeGreaterThan(1);
    expect(slice.json).toBe(rowsAsJson(slice.rows));
    expect(jsonAfterChanges(slice, slice.rows)).toBe(slice.json);
  });

  it('equals the JSON of the rows as they are now, whatever changed or was skipped, in whichever piece', () => {
    const now: Array<MirrorRow | null> = slice.rows.map((row, index) => {
      if (index === 3 || index === 700 || index === 1_233) return { ...row, email: null }; // gave their email up
      if (index === 0 || index === 501 || (index >= 1_000 && index < 1_234 && index % 2 === 0)) return null; // older than stored
      return row;
    });
    const kept = now.filter((row): row is MirrorRow => row !== null);
    expect(jsonAfterChanges(slice, now)).toBe(rowsAsJson(kept));
    expect((JSON.parse(jsonAfterChanges(slice, now)!) as Array<{ email: string | null }>)[2]!.email).toBeNull();
  });

  it('no row left: no JSON', () => {
    expect(jsonAfterChanges(slice, slice.rows.map(() => null))).toBeNull();
  });
});

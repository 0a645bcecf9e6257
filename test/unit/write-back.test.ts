import { describe, expect, it } from 'vitest';
import { coalesceEdits, resolveRecord, toSalesforceValue, type OutboxEdit } from '../../domain/write-back.js';
import { explainWriteBackError } from '../../domain/write-back-errors.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
let seq = 0;
const edit = (salesforceId: string, field: string, oldValue: string | null, newValue: string | null, changedAt = at(0), object: OutboxEdit['object'] = 'Contact'): OutboxEdit => ({
  seq: String(++seq),
  object,
  recordId: `ff-${salesforceId}`,
  salesforceId,
  field,
  oldValue,
  newValue,
  changedAt,
});

describe('coalesceEdits', () => {
  it('one write per record with the last value per field in sequence order (even when rows arrive unsorted), remembering the value before the first edit', () => {
    const edits = [edit('A', 'phone', '1', '2'), edit('B', 'email', 'b@x', 'c@x'), edit('A', 'phone', '2', '3'), edit('A', 'email', 'a@x', 'z@x'), edit('A', 'phone', '3', '4')];
    const [a, b] = coalesceEdits([...edits].reverse());
    expect(a!.salesforceId).toBe('A');
    expect(a!.fields.map((f) => [f.salesforceField, f.before, f.value, f.seqs.length])).toEqual([
      ['Phone', '1', '4', 3],
      ['Email', 'a@x', 'z@x', 1],
    ]);
    expect(b!.fields.map((f) => [f.salesforceField, f.value])).toEqual([['Email', 'c@x']]);
  });

  it('sorts by sequence numerically (10 after 9), and ignores fields that are not bidirectional', () => {
    const nine = { ...edit('A', 'phone', '0', 'nine'), seq: '9' };
    const ten = { ...edit('A', 'phone', 'nine', 'ten'), seq: '10' };
    const other = { ...edit('A', 'full_name', 'x', 'y'), seq: '11' };
    expect(coalesceEdits([ten, other, nine])[0]!.fields.map((f) => [f.field, f.value])).toEqual([['phone', 'ten']]);
  });
});

describe('resolveRecord', () => {
  const deal = coalesceEdits([edit('O', 'stage', 'Prospecting', 'Closed Won', at(10), 'Opportunity'), edit('O', 'value', '100.00', '250.5', at(10), 'Opportunity')])[0]!;

  it('writes fields Salesforce still has as FastFollow knew them; Amount as a number', () => {
    const r = resolveRecord(deal, { SystemModstamp: at(5).toISOString(), StageName: 'Prospecting', Amount: 100 });
    expect(r.changes).toEqual({ StageName: 'Closed Won', Amount: 250.5 });
    expect(r.conflicts).toEqual([]);
  });

  it('deal fields changed on both sides: Salesforce wins even when the FastFollow edit is newer, recorded as a conflict', () => {
    const r = resolveRecord(deal, { SystemModstamp: at(5).toISOString(), StageName: 'Closed Lost', Amount: 100 });
    expect(r.changes).toEqual({ Amount: 250.5 });
    expect(r.overruled.map((f) => f.field)).toEqual(['stage']);
    expect(r.conflicts).toEqual([{ field: 'stage', fastfollowValue: 'Closed Won', salesforceValue: 'Closed Lost', winner: 'salesforce' }]);
  });

  it('contact fields changed on both sides: the newer edit wins (Salesforce on a tie)', () => {
    const contact = coalesceEdits([edit('C', 'phone', '1', '2', at(10))])[0]!;
    const older = resolveRecord(contact, { SystemModstamp: at(9).toISOString(), Phone: '9' });
    expect(older.changes).toEqual({ Phone: '2' });
    expect(older.conflicts[0]?.winner).toBe('fastfollow');
    const newer = resolveRecord(contact, { SystemModstamp: at(10).toISOString(), Phone: '9' });
    expect(newer.changes).toEqual({});
    expect(newer.conflicts[0]?.winner).toBe('salesforce');
  });

  it('Salesforce already showing the value, or an intermediate value of these edits (a write re-sent after a crash), is no conflict', () => {
    const contact = coalesceEdits([edit('C', 'phone', '1', '2'), edit('C', 'phone', '2', '3'), edit('C', 'email', 'a@x.com', 'B@X.com')])[0]!;
    const r = resolveRecord(contact, { SystemModstamp: at(30).toISOString(), Phone: '2', Email: 'b@x.com' });
    expect(r.conflicts).toEqual([]);
    expect(r.changes).toEqual({ Phone: '3' });
    expect(r.unchanged.map((f) => f.field)).toEqual(['email']);
  });

  it('empty FastFollow values clear the Salesforce field', () => {
    expect(toSalesforceValue('Phone', '')).toBeNull();
    expect(toSalesforceValue('Amount', null)).toBeNull();
    expect(toSalesforceValue('Amount', '12.50')).toBe(12.5);
  });
});

describe('explainWriteBackError', () => {
  it('has write-back fix texts for the per-record codes Salesforce answers, and falls back to the general table', () => {
    for (const code of ['REQUIRED_FIELD_MISSING', 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'DUPLICATE_VALUE', 'INVALID_FIELD_FOR_INSERT_UPDATE', 'ENTITY_IS_DELETED']) {
      const explained = explainWriteBackError(code);
      expect(explained.fix).not.toMatch(/contact FastFollow support/);
      expect(explained.fix).not.toMatch(/followupId/);
    }
    expect(explainWriteBackError('REQUEST_LIMIT_EXCEEDED').permanent).toBe(false);
  });
});

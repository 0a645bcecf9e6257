import { describe, expect, it } from 'vitest';
import { deriveCreateFields, matchesSent, splitFullName } from '../../domain/born-records.js';
import { mappingProblem, toFastFollowValue, toSalesforceCustomValue, type DescribedField } from '../../domain/field-mappings.js';
import { fieldsFor, incrementalQuery } from '../../domain/sync/soql.js';
import { coalesceEdits, type OutboxEdit } from '../../domain/write-back.js';

const field = (name: string, extra: Partial<DescribedField> = {}): DescribedField => ({
  name, type: 'string', createable: true, updateable: true, nillable: true, calculated: false, length: 40, picklistValues: [], ...extra,
});

describe('records born in FastFollow', () => {
  it('splits full_name into FirstName and LastName (last word), and refuses a contact without a name', () => {
    expect(splitFullName('  Ada  King Lovelace ')).toEqual({ FirstName: 'Ada King', LastName: 'Lovelace' });
    expect(splitFullName('Cher')).toEqual({ FirstName: null, LastName: 'Cher' });
    const nameless = deriveCreateFields({ queueId: '1', object: 'Contact', recordId: 'r', sendingSince: null, columns: { full_name: ' ', email: 'a@b.co', phone: null } });
    expect(nameless).toMatchObject({ ok: false, code: 'REQUIRED_FIELD_MISSING' });
  });

  it('derives an Opportunity, naming every empty required column', () => {
    const deal = (columns: Record<string, string | null>) => deriveCreateFields({ queueId: '1', object: 'Opportunity', recordId: 'r', sendingSince: null, columns });
    expect(deal({ title: 'X', value: '10.50', stage: 'Prospecting', expected_close_date: '2027-01-31' })).toEqual({ ok: true, fields: { Name: 'X', Amount: 10.5, StageName: 'Prospecting', CloseDate: '2027-01-31' } });
    const missing = deal({ title: 'X', value: null, stage: null, expected_close_date: null });
    expect(missing.ok ? '' : missing.message).toMatch(/stage, expected_close_date are empty/);
  });

  it('takes a found record as a lost create only when every sent value matches', () => {
    expect(matchesSent({ LastName: 'Hopper', Email: 'G@x.io' }, { LastName: 'Hopper', Email: 'g@x.io', Phone: null })).toBe(true);
    expect(matchesSent({ LastName: 'Hopper', Amount: 5 }, { LastName: 'Hopper', Amount: 6 })).toBe(false);
  });
});

describe('custom field mappings', () => {
  const base = { object: 'Contact' as const, salesforceField: 'Score__c', fastfollowField: 'custom.score' };
  it('accepts a readable field to FastFollow and an editable one both ways', () => {
    expect(mappingProblem({ ...base, direction: 'to_fastfollow' }, field('Score__c', { updateable: false }))).toBeNull();
    expect(mappingProblem({ ...base, direction: 'both' }, field('Score__c', { type: 'double' }))).toBeNull();
  });

  it('refuses unwritable, missing, default, non-scalar, Account and badly named mappings with a reason', () => {
    expect(mappingProblem({ ...base, direction: 'both' }, field('Score__c', { updateable: false }))).toMatch(/not editable/);
    expect(mappingProblem({ ...base, direction: 'to_fastfollow' }, undefined)).toMatch(/does not exist .* or is not readable/);
    expect(mappingProblem({ ...base, salesforceField: 'phone', direction: 'to_fastfollow' }, field('Phone'))).toMatch(/already mapped by default/);
    expect(mappingProblem({ ...base, direction: 'to_fastfollow' }, field('Score__c', { type: 'address' }))).toMatch(/type address/);
    expect(mappingProblem({ ...base, object: 'Account', direction: 'to_fastfollow' }, field('Score__c'))).toMatch(/Account/);
    expect(mappingProblem({ ...base, fastfollowField: 'phone', direction: 'to_fastfollow' }, field('Score__c'))).toMatch(/custom\.<key>/);
  });

  it('converts values by the field type both ways', () => {
    expect(toFastFollowValue('double', '4.5')).toBe(4.5);
    expect(toFastFollowValue('boolean', 'true')).toBe(true);
    expect(toFastFollowValue('string', '')).toBeNull();
    expect(toSalesforceCustomValue('currency', '12')).toBe(12);
    expect(toSalesforceCustomValue('boolean', 'false')).toBe(false);
  });

  it('reads mapped fields beside the default ones, and refuses a name that is not a field name', () => {
    expect(fieldsFor('Contact', ['Region__c', 'Phone'])).toEqual([...fieldsFor('Contact'), 'Region__c']);
    expect(incrementalQuery('Contact', { from: null, to: '2026-01-01T00:00:00Z' }, ['Region__c'])).toMatch(/^SELECT .*SystemModstamp, IsDeleted, Region__c FROM Contact WHERE/);
    expect(() => fieldsFor('Contact', ['Name FROM User--'])).toThrow(/Not a field name/);
  });

  it('coalesces edits of mapped custom keys and leaves unmapped ones out', () => {
    const edit = (seq: string, fieldName: string, value: string): OutboxEdit => ({ seq, object: 'Contact', recordId: 'r', salesforceId: '003000000000001AAA', field: fieldName, oldValue: null, newValue: value, changedAt: new Date(0) });
    const [record] = coalesceEdits([edit('1', 'custom.score', '1'), edit('2', 'custom.other', 'x'), edit('3', 'custom.score', '2')], { Contact: { 'custom.score': 'Score__c' } });
    expect(record!.fields.map((f) => [f.salesforceField, f.value, f.seqs])).toEqual([['Score__c', '2', ['1', '3']]]);
  });
});

import { describe, expect, it } from 'vitest';
import { compareSalesforceIds, decideEmailOwner, resolveDuplicateEmails, type EmailCandidate } from '../../../domain/sync/duplicates.js';

/** Deterministic shuffle (seeded LCG) so a failure reproduces. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const row = (id: string, email: string | null, lastModified = '2024-05-01T00:00:00.000+0000'): EmailCandidate => ({
  salesforce_contact_id: id,
  email,
  lastModified,
});

describe('compareSalesforceIds', () => {
  it('orders ordinally and case-sensitively on the 15-character prefix', () => {
    expect(compareSalesforceIds('003000000000009AAA', '00300000000000AAAA')).toBeLessThan(0); // '9' < 'A'
    expect(compareSalesforceIds('00300000000000ZAAA', '00300000000000aAAA')).toBeLessThan(0); // 'Z' < 'a'
    expect(compareSalesforceIds('00300000000000a', '00300000000000A')).toBeGreaterThan(0);
    // 15- and 18-character forms of one record are the same record.
    expect(compareSalesforceIds('003000000000001', '003000000000001AAA')).toBe(0);
    expect(compareSalesforceIds('003000000000001AAA', '003000000000001XYZ')).toBe(0);
  });
});

describe('resolveDuplicateEmails', () => {
  const input = [
    row('003000000000003AAA', 'shared@acme.com', '2024-01-01T00:00:00.000+0000'), // oldest edit, not the winner
    row('003000000000001AAA', 'other@acme.com'),
    row('00300000000000bAAA', 'Shared@Acme.com'),
    row('00300000000000BAAA', 'shared@acme.com', '2024-12-31T00:00:00.000+0000'),
    row('003000000000002AAA', 'shared@acme.com '),
    row('003000000000004AAA', null),
    row('003000000000005AAA', null),
  ];

  it('keeps the email on the earliest Id; others get null and a DUPLICATE_EMAIL issue naming the winner', () => {
    const { rows, issues } = resolveDuplicateEmails(input);
    expect(rows.map((r) => [r.salesforce_contact_id, r.email])).toEqual([
      ['003000000000003AAA', null],
      ['003000000000001AAA', 'other@acme.com'],
      ['00300000000000bAAA', null],
      ['00300000000000BAAA', null],
      ['003000000000002AAA', 'shared@acme.com '], // the winner's row is returned untouched
      ['003000000000004AAA', null],
      ['003000000000005AAA', null],
    ]);
    expect(issues.map((i) => [i.code, i.field, i.salesforceId])).toEqual([
      ['DUPLICATE_EMAIL', 'Email', '003000000000003AAA'],
      ['DUPLICATE_EMAIL', 'Email', '00300000000000BAAA'],
      ['DUPLICATE_EMAIL', 'Email', '00300000000000bAAA'],
    ]);
    for (const issue of issues) expect(issue.message).toContain('003000000000002AAA');
    // Contacts without an email are not duplicates of each other.
    expect(issues.map((i) => i.salesforceId)).not.toContain('003000000000004AAA');
  });

  it('keeps other fields and the input order', () => {
    const { rows } = resolveDuplicateEmails([
      { salesforce_contact_id: '003000000000002AAA', email: 'x@y.com', lastModified: 'b', full_name: 'Two' },
      { salesforce_contact_id: '003000000000001AAA', email: 'x@y.com', lastModified: 'a', full_name: 'One' },
    ]);
    expect(rows).toEqual([
      { salesforce_contact_id: '003000000000002AAA', email: null, lastModified: 'b', full_name: 'Two' },
      { salesforce_contact_id: '003000000000001AAA', email: 'x@y.com', lastModified: 'a', full_name: 'One' },
    ]);
  });

  it('gives the same result whatever the input order', () => {
    const expected = resolveDuplicateEmails(input);
    const byId = (rows: EmailCandidate[]) => [...rows].sort((a, b) => compareSalesforceIds(a.salesforce_contact_id, b.salesforce_contact_id));
    for (let seed = 1; seed <= 50; seed++) {
      const result = resolveDuplicateEmails(shuffled(input, seed));
      expect(byId(result.rows)).toEqual(byId(expected.rows));
      expect(result.issues).toEqual(expected.issues);
    }
  });

  it('the same record twice (e.g. 15- and 18-character Id) is not its own duplicate', () => {
    const { rows, issues } = resolveDuplicateEmails([row('003000000000001AAA', 'a@b.com'), row('003000000000001', 'a@b.com')]);
    expect(rows.map((r) => r.email)).toEqual(['a@b.com', 'a@b.com']);
    expect(issues).toEqual([]);
  });

  it('empty input', () => {
    expect(resolveDuplicateEmails([])).toEqual({ rows: [], issues: [] });
  });
});

describe('decideEmailOwner (incremental)', () => {
  const older = { salesforce_contact_id: '003000000000001AAA' };
  const newer = { salesforce_contact_id: '003000000000002AAA' };

  it('claims a free email', () => {
    expect(decideEmailOwner(newer, undefined)).toEqual({ outcome: 'claim' });
  });

  it('the holder being the same contact is an update (15- vs 18-character Id too)', () => {
    expect(decideEmailOwner(older, { salesforce_contact_id: '003000000000001' })).toEqual({ outcome: 'same' });
  });

  it('adopts a FastFollow-only contact holding the email', () => {
    expect(decideEmailOwner(newer, { salesforce_contact_id: null })).toEqual({ outcome: 'adopt' });
  });

  it('an older incoming contact takes the email and demotes the holder', () => {
    expect(decideEmailOwner(older, newer)).toEqual({
      outcome: 'take',
      demote: '003000000000002AAA',
      issue: { code: 'DUPLICATE_EMAIL', field: 'Email', message: expect.stringContaining('003000000000001AAA'), salesforceId: '003000000000002AAA' },
    });
  });

  it('a newer incoming contact yields', () => {
    expect(decideEmailOwner(newer, older)).toEqual({
      outcome: 'yield',
      issue: { code: 'DUPLICATE_EMAIL', field: 'Email', message: expect.stringContaining('003000000000001AAA'), salesforceId: '003000000000002AAA' },
    });
  });

  it('agrees with the batch rule whichever contact arrives first', () => {
    const ids = ['00300000000000zAAA', '003000000000007AAA', '00300000000000QAAA', '003000000000007'];
    const batchWinner = resolveDuplicateEmails(ids.map((id) => row(id, 'same@x.com'))).rows.find((r) => r.email !== null);
    for (let seed = 1; seed <= 20; seed++) {
      let holder: { salesforce_contact_id: string } | undefined;
      for (const id of shuffled(ids, seed)) {
        const decision = decideEmailOwner({ salesforce_contact_id: id }, holder);
        if (decision.outcome === 'claim' || decision.outcome === 'take') holder = { salesforce_contact_id: id };
      }
      expect(compareSalesforceIds(holder?.salesforce_contact_id ?? '', batchWinner?.salesforce_contact_id ?? '-')).toBe(0);
    }
  });
});

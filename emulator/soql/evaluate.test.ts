import { beforeEach, describe, expect, it } from 'vitest';
import { compileSoql } from './index.js';
import { fakeId, id18, makeSchema, MemorySource } from './test-fixtures.js';
import type { SoqlRow } from './types.js';

const schema = makeSchema();
const ACC1 = fakeId('001', 1);
const ACC2 = fakeId('001', 2);
const USR1 = fakeId('005', 1);

let src: MemorySource;

function c(n: number): string {
  return fakeId('003', n);
}

beforeEach(() => {
  src = new MemorySource();
  src.add('User', { Id: USR1, Name: 'Olivia Owner' });
  src.add('Account', { Id: ACC1, Name: 'Acme', OwnerId: USR1, Industry: 'Energy' }, { Id: ACC2, Name: 'Globex', OwnerId: null });
  src.add(
    'Contact',
    {
      Id: c(1), FirstName: 'Ann', LastName: 'Alpha', Email: 'Ann@Example.com', AccountId: ACC1, Score__c: 10,
      Birthdate: '1990-05-01', HasOptedOutOfEmail: false,
      CreatedDate: '2024-01-01T00:00:00.000Z', SystemModstamp: '2024-03-01T10:00:00.000Z',
    },
    {
      Id: c(2), FirstName: 'bob', LastName: 'Beta', Email: null, AccountId: ACC2, Score__c: 20,
      Birthdate: '1985-12-31', HasOptedOutOfEmail: true,
      CreatedDate: '2024-01-02T00:00:00.000Z', SystemModstamp: '2024-03-02T10:00:00.000Z',
    },
    {
      Id: c(3), FirstName: 'Cara', LastName: 'Gamma', Email: 'cara@other.org', AccountId: null, Score__c: null,
      Birthdate: null, HasOptedOutOfEmail: false,
      CreatedDate: '2024-01-03T00:00:00.000Z', SystemModstamp: '2024-03-01T10:00:00.000Z',
    },
    {
      Id: c(4), FirstName: 'Dan', LastName: 'Delta', Email: 'dan@example.com', AccountId: ACC1, Score__c: 20,
      Birthdate: '2000-01-01', HasOptedOutOfEmail: false,
      CreatedDate: '2024-01-04T00:00:00.000Z', SystemModstamp: '2024-03-03T10:00:00.000Z',
    },
    {
      Id: c(5), FirstName: 'Eve', LastName: 'Epsilon', Email: 'eve@example.com', AccountId: ACC2, Score__c: 5,
      IsDeleted: true, CreatedDate: '2024-01-05T00:00:00.000Z', SystemModstamp: '2024-03-04T10:00:00.000Z',
    },
  );
});

/** Ids (as contact numbers) of the rows a query returns. */
function run(text: string, options?: { includeDeleted?: boolean; now?: Date }): number[] {
  const q = compileSoql(text, schema);
  return q.execute(src, options).map((r: SoqlRow) => Number(String(r.Id).slice(3, 15)));
}
const contacts = (where: string, options?: { includeDeleted?: boolean; now?: Date }) =>
  run(`SELECT Id FROM Contact WHERE ${where}`, options);

describe('execute: comparisons', () => {
  it('string = and != are case-insensitive; != also matches nulls', () => {
    expect(contacts("Email = 'ann@example.COM'")).toEqual([1]);
    expect(contacts("FirstName = 'BOB'")).toEqual([2]);
    expect(contacts("Email != 'ANN@example.com'")).toEqual([2, 3, 4]);
    expect(contacts("Email <> 'ann@example.com'")).toEqual([2, 3, 4]);
  });

  it('null comparisons', () => {
    expect(contacts('Email = null')).toEqual([2]);
    expect(contacts('Email != null')).toEqual([1, 3, 4]);
    expect(contacts('AccountId = null')).toEqual([3]);
    expect(contacts('Score__c > null')).toEqual([]);
  });

  it('numbers compare numerically and nulls never satisfy < or >', () => {
    expect(contacts('Score__c > 9')).toEqual([1, 2, 4]);
    expect(contacts('Score__c >= 20')).toEqual([2, 4]);
    expect(contacts('Score__c < 20')).toEqual([1]);
    expect(contacts('Score__c <= 10.0')).toEqual([1]);
    expect(contacts('Score__c = 20')).toEqual([2, 4]);
    expect(contacts('Score__c != 20')).toEqual([1, 3]);
  });

  it('booleans', () => {
    expect(contacts('HasOptedOutOfEmail = true')).toEqual([2]);
    expect(contacts('HasOptedOutOfEmail = FALSE')).toEqual([1, 3, 4]);
  });

  it('string ranges compare case-insensitively', () => {
    expect(contacts("FirstName < 'c'")).toEqual([1, 2]);
    expect(contacts("FirstName >= 'CARA'")).toEqual([3, 4]);
  });

  it('IN and NOT IN (case-insensitive; NOT IN keeps nulls; null in the list matches nulls)', () => {
    expect(contacts("FirstName IN ('ann', 'DAN', 'zed')")).toEqual([1, 4]);
    expect(contacts("Email NOT IN ('ann@example.com', 'dan@example.com')")).toEqual([2, 3]);
    expect(contacts("Email IN ('dan@example.com', null)")).toEqual([2, 4]);
    expect(contacts('Score__c IN (5, 10)')).toEqual([1]);
  });

  it('LIKE: % and _ wildcards, case-insensitive, whole value, escaped wildcards literal', () => {
    expect(contacts("Email LIKE '%@EXAMPLE.com'")).toEqual([1, 4]);
    expect(contacts("FirstName LIKE 'a%'")).toEqual([1]);
    expect(contacts("FirstName LIKE '%A%'")).toEqual([1, 3, 4]);
    expect(contacts("FirstName LIKE '_o_'")).toEqual([2]);
    expect(contacts("FirstName LIKE 'an'")).toEqual([]);
    expect(contacts("FirstName LIKE 'ANN'")).toEqual([1]);
    expect(contacts("LastName LIKE 'g_m%a'")).toEqual([3]);
    src.add('Contact', { Id: c(9), LastName: '100% sure_thing' }, { Id: c(10), LastName: '100x sureXthing' });
    expect(contacts("LastName LIKE '100\\% sure\\_thing'")).toEqual([9]);
    expect(contacts("LastName LIKE '100_ sure_thing'")).toEqual([9, 10]);
    // Regex metacharacters are plain text.
    src.add('Contact', { Id: c(11), LastName: 'a.b*c' });
    expect(contacts("LastName LIKE 'a.b*%'")).toEqual([11]);
  });

  it('Id comparisons accept the 15-character form and a wrongly-cased 18-character form', () => {
    const full = c(4);
    expect(contacts(`Id = '${full}'`)).toEqual([4]);
    expect(contacts(`Id = '${full.slice(0, 15)}'`)).toEqual([4]);
    expect(contacts(`Id IN ('${c(1)}', '${c(3).slice(0, 15)}')`)).toEqual([1, 3]);
    expect(contacts(`AccountId = '${ACC1.slice(0, 15)}'`)).toEqual([1, 4]);
    expect(contacts(`Id > '${c(2)}'`)).toEqual([3, 4]);
    // 15-character Ids are case-sensitive; an 18-character Id's suffix fixes the case of the
    // first 15 characters, so a lower-cased 18-character Id still names the record.
    const mixed = id18('001000000000AbC');
    src.add('Account', { Id: mixed, Name: 'Mixed' });
    const accounts = (w: string) => compileSoql(`SELECT Name FROM Account WHERE ${w}`, schema).execute(src).map((r) => r.Name);
    expect(accounts(`Id = '${mixed.slice(0, 15).toLowerCase()}${mixed.slice(15)}'`)).toEqual(['Mixed']);
    expect(accounts(`Id = '${mixed.slice(0, 15)}'`)).toEqual(['Mixed']);
    expect(accounts(`Id = '${mixed.slice(0, 15).toLowerCase()}'`)).toEqual([]);
  });
});

describe('execute: dates and datetimes', () => {
  it('datetime literals compare as instants, whatever their offset or precision', () => {
    expect(contacts('SystemModstamp > 2024-03-01T10:00:00Z')).toEqual([2, 4]);
    expect(contacts('SystemModstamp >= 2024-03-01T10:00:00.000Z')).toEqual([1, 2, 3, 4]);
    expect(contacts('SystemModstamp = 2024-03-01T12:00:00+02:00')).toEqual([1, 3]);
    expect(contacts('SystemModstamp < 2024-03-02T05:00:00-05:00')).toEqual([1, 3]);
    expect(contacts('SystemModstamp <= 2024-03-02T05:00:00-05:00')).toEqual([1, 2, 3]);
  });

  it('stored datetimes in other ISO shapes still compare as instants', () => {
    src.add('Contact', { Id: c(20), SystemModstamp: '2024-03-01T12:00:00+02:00' }, { Id: c(21), SystemModstamp: '2024-03-01T10:00:00.000+0000' });
    expect(contacts('SystemModstamp = 2024-03-01T10:00:00Z')).toEqual([1, 3, 20, 21]);
  });

  it('date fields compare with date literals', () => {
    expect(contacts('Birthdate > 1990-01-01')).toEqual([1, 4]);
    expect(contacts('Birthdate = 1985-12-31')).toEqual([2]);
    expect(contacts('Birthdate != 1985-12-31')).toEqual([1, 3, 4]);
  });

  it('relative date literals: TODAY, YESTERDAY, LAST_N_DAYS:n on datetime and date fields', () => {
    const now = new Date('2024-03-02T15:30:00.000Z');
    expect(contacts('SystemModstamp = TODAY', { now })).toEqual([2]);
    expect(contacts('SystemModstamp = YESTERDAY', { now })).toEqual([1, 3]);
    expect(contacts('SystemModstamp > TODAY', { now })).toEqual([4]);
    expect(contacts('SystemModstamp < TODAY', { now })).toEqual([1, 3]);
    expect(contacts('SystemModstamp >= TODAY', { now })).toEqual([2, 4]);
    expect(contacts('SystemModstamp <= TODAY', { now })).toEqual([1, 2, 3]);
    expect(contacts('SystemModstamp != TODAY', { now })).toEqual([1, 3, 4]);
    // LAST_N_DAYS:1 is yesterday and today.
    expect(contacts('SystemModstamp = LAST_N_DAYS:1', { now })).toEqual([1, 2, 3]);
    // 2024-03-02 minus 60 days is 2024-01-02 (leap year): Jan 1 is just outside, inside with 61.
    expect(contacts('CreatedDate = LAST_N_DAYS:61', { now })).toEqual([1, 2, 3, 4]);
    expect(contacts('CreatedDate = LAST_N_DAYS:60', { now })).toEqual([2, 3, 4]);
    // Date fields: the same day ranges, on calendar dates.
    expect(contacts('Birthdate < TODAY', { now: new Date('2000-01-01T08:00:00Z') })).toEqual([1, 2]);
    expect(contacts('Birthdate = TODAY', { now: new Date('2000-01-01T23:59:59Z') })).toEqual([4]);
    expect(contacts('Birthdate IN (TODAY, 1990-05-01)', { now: new Date('2000-01-01T00:00:00Z') })).toEqual([1, 4]);
  });
});

describe('execute: logic', () => {
  it('AND, OR, NOT and parentheses', () => {
    expect(contacts("Score__c = 20 AND FirstName = 'dan'")).toEqual([4]);
    expect(contacts("FirstName = 'ann' OR FirstName = 'cara' OR Score__c = 20")).toEqual([1, 2, 3, 4]);
    expect(contacts('NOT Score__c = 20')).toEqual([1, 3]);
    expect(contacts("Score__c = 20 AND (NOT FirstName = 'dan')")).toEqual([2]);
  });

  it('parentheses decide the grouping (AND and OR cannot be mixed without them)', () => {
    // (A AND B) OR C vs A AND (B OR C): different answers on the same data.
    expect(contacts("(FirstName = 'ann' AND Score__c = 20) OR FirstName = 'cara'")).toEqual([3]);
    expect(contacts("FirstName = 'ann' AND (Score__c = 20 OR FirstName = 'cara')")).toEqual([]);
    expect(contacts("(Score__c = 20 AND FirstName = 'dan') OR (Score__c = 10 AND FirstName = 'ann')")).toEqual([1, 4]);
    expect(contacts("Score__c = 20 AND (FirstName = 'dan' OR FirstName = 'ann')")).toEqual([4]);
    expect(() => contacts("FirstName = 'ann' AND Score__c = 20 OR FirstName = 'cara'")).toThrow(/unexpected token: 'OR'/);
  });
});

describe('execute: ORDER BY, LIMIT, OFFSET, COUNT()', () => {
  it('orders by several keys with ties broken by the next key', () => {
    expect(run('SELECT Id FROM Contact ORDER BY Score__c DESC, FirstName')).toEqual([2, 4, 1, 3]);
    expect(run('SELECT Id FROM Contact ORDER BY SystemModstamp, Id DESC')).toEqual([3, 1, 2, 4]);
  });

  it('ASC puts nulls first and DESC last unless NULLS FIRST/LAST says otherwise', () => {
    expect(run('SELECT Id FROM Contact ORDER BY Email')).toEqual([2, 1, 3, 4]);
    expect(run('SELECT Id FROM Contact ORDER BY Email DESC')).toEqual([4, 3, 1, 2]);
    expect(run('SELECT Id FROM Contact ORDER BY Email ASC NULLS LAST')).toEqual([1, 3, 4, 2]);
    expect(run('SELECT Id FROM Contact ORDER BY Email DESC NULLS FIRST')).toEqual([2, 4, 3, 1]);
  });

  it('orders text case-insensitively', () => {
    expect(run('SELECT Id FROM Contact ORDER BY FirstName')).toEqual([1, 2, 3, 4]);
  });

  it('orders by a parent field, rows without a parent counting as null', () => {
    expect(run('SELECT Id FROM Contact ORDER BY Account.Name DESC, Id')).toEqual([2, 1, 4, 3]);
  });

  it('applies OFFSET then LIMIT after ordering', () => {
    expect(run('SELECT Id FROM Contact ORDER BY Id DESC LIMIT 2')).toEqual([4, 3]);
    expect(run('SELECT Id FROM Contact ORDER BY Id DESC LIMIT 2 OFFSET 1')).toEqual([3, 2]);
    expect(run('SELECT Id FROM Contact ORDER BY Id OFFSET 3')).toEqual([4]);
    expect(run('SELECT Id FROM Contact LIMIT 0')).toEqual([]);
    expect(run('SELECT Id FROM Contact LIMIT 2')).toEqual([1, 2]);
    expect(run('SELECT Id FROM Contact LIMIT 2 OFFSET 10')).toEqual([]);
  });

  it('COUNT() counts the matching rows', () => {
    const q = compileSoql("SELECT COUNT() FROM Contact WHERE Email LIKE '%example.com'", schema);
    expect(q.isCount).toBe(true);
    expect(q.columns).toEqual([]);
    expect(q.execute(src)).toHaveLength(2);
    expect(compileSoql('SELECT count() FROM Contact', schema).execute(src)).toHaveLength(4);
    expect(compileSoql('SELECT COUNT() FROM Contact', schema).execute(src, { includeDeleted: true })).toHaveLength(5);
  });
});

describe('execute: deleted rows', () => {
  it('skips IsDeleted rows unless includeDeleted (queryAll)', () => {
    expect(run('SELECT Id FROM Contact')).toEqual([1, 2, 3, 4]);
    expect(run('SELECT Id FROM Contact', { includeDeleted: true })).toEqual([1, 2, 3, 4, 5]);
    expect(run('SELECT Id FROM Contact WHERE IsDeleted = true')).toEqual([]);
    expect(run('SELECT Id FROM Contact WHERE IsDeleted = true', { includeDeleted: true })).toEqual([5]);
  });
});

describe('execute: parent relationships', () => {
  it('filters through one and two levels of parents; a missing parent reads as null', () => {
    expect(contacts("Account.Name = 'acme'")).toEqual([1, 4]);
    expect(contacts('Account.Name = null')).toEqual([3]);
    expect(contacts("Account.Name != 'acme'")).toEqual([2, 3]);
    expect(contacts("Account.Owner.Name LIKE 'olivia%'")).toEqual([1, 4]);
    expect(contacts('Account.Owner.Name = null')).toEqual([2, 3]);
    expect(contacts("Account.Industry IN ('energy')")).toEqual([1, 4]);
  });

  it('looks each parent up once per execute', () => {
    const q = compileSoql("SELECT Id FROM Contact WHERE Account.Name != 'x' AND Account.Industry != 'y'", schema);
    src.byIdCalls = 0;
    q.execute(src);
    expect(src.byIdCalls).toBe(2); // two distinct accounts
  });

  it('treats a dangling reference as no parent', () => {
    src.add('Contact', { Id: c(30), AccountId: fakeId('001', 999) });
    expect(contacts('Account.Name = null')).toEqual([3, 30]);
  });

  it('resolves a polymorphic relationship to whichever object the Id belongs to', () => {
    src.add('Task', { Id: fakeId('00T', 1), Subject: 'Call', WhoId: c(1), WhatId: ACC2 }, { Id: fakeId('00T', 2), Subject: 'Mail', WhoId: null, WhatId: ACC1 });
    const q = compileSoql("SELECT Id, Who.FirstName, What.Name FROM Task WHERE What.Name = 'Globex'", schema);
    const rows = q.execute(src);
    expect(rows.map((r) => r.Subject)).toEqual(['Call']);
    expect(q.toRecord(rows[0]!, src, '62.0')).toMatchObject({
      Who: { attributes: { type: 'Contact' }, FirstName: 'Ann' },
      What: { attributes: { type: 'Account' }, Name: 'Globex' },
    });
  });
});

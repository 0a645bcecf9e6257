import { afterEach, describe, expect, it } from 'vitest';
import {
  bulkInitialQuery,
  fieldsFor,
  formatSoqlDateTime,
  incrementalQuery,
  incrementalWindow,
  initialQuery,
  isEmptyWindow,
  parseSalesforceDateTime,
} from '../../../domain/sync/soql.js';
import type { SyncedObject } from '../../../domain/synced-objects.js';

const MINUTE = 60_000;

describe('fieldsFor / initialQuery', () => {
  it('lists the fields of each object', () => {
    expect(fieldsFor('Contact')).toEqual(['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'AccountId', 'Account.Name', 'SystemModstamp', 'IsDeleted']);
    expect(fieldsFor('Opportunity')).toEqual(['Id', 'Name', 'Amount', 'StageName', 'CloseDate', 'AccountId', 'SystemModstamp', 'IsDeleted']);
    expect(fieldsFor('Account')).toEqual(['Id', 'Name', 'SystemModstamp', 'IsDeleted']);
  });

  it('the field lists cannot be changed by a caller', () => {
    expect(() => (fieldsFor('Account') as string[]).push('Secret__c')).toThrow();
    expect(fieldsFor('Account')).toHaveLength(4);
  });

  it('refuses an object outside the synced set (its name would be spliced into SOQL)', () => {
    expect(() => fieldsFor('User' as SyncedObject)).toThrow(RangeError);
    expect(() => initialQuery('Contact WHERE Id != null' as SyncedObject)).toThrow(RangeError);
    expect(() => fieldsFor('toString' as SyncedObject)).toThrow(RangeError);
  });

  it('builds the initial query', () => {
    expect(initialQuery('Contact')).toBe(
      'SELECT Id, FirstName, LastName, Email, Phone, AccountId, Account.Name, SystemModstamp, IsDeleted FROM Contact ORDER BY SystemModstamp, Id',
    );
    expect(initialQuery('Opportunity')).toBe(
      'SELECT Id, Name, Amount, StageName, CloseDate, AccountId, SystemModstamp, IsDeleted FROM Opportunity ORDER BY SystemModstamp, Id',
    );
    expect(initialQuery('Account')).toBe('SELECT Id, Name, SystemModstamp, IsDeleted FROM Account ORDER BY SystemModstamp, Id');
  });

  it('the Bulk job reads without ORDER BY (which would turn PK chunking off)', () => {
    expect(bulkInitialQuery('Account')).toBe('SELECT Id, Name, SystemModstamp, IsDeleted FROM Account');
    expect(() => bulkInitialQuery('Contact WHERE Id != null' as SyncedObject)).toThrow(RangeError);
  });
});

describe('incrementalWindow', () => {
  const now = new Date('2024-05-01T12:00:00.000Z');

  it('[watermark − lookback, now − safety lag)', () => {
    expect(incrementalWindow({ watermark: '2024-05-01T11:00:00.000Z', now, lookbackMs: 5 * MINUTE, safetyLagMs: 2 * MINUTE })).toEqual({
      from: '2024-05-01T10:55:00Z',
      to: '2024-05-01T11:58:00Z',
    });
  });

  it('accepts a watermark in Salesforce form and other offsets; both bounds floored to the second', () => {
    expect(incrementalWindow({ watermark: '2024-05-01T11:00:00.123+0000', now, lookbackMs: 1, safetyLagMs: 0 }).from).toBe('2024-05-01T11:00:00Z');
    expect(incrementalWindow({ watermark: '2024-05-01T11:00:00.000+0000', now, lookbackMs: 1, safetyLagMs: 0 }).from).toBe('2024-05-01T10:59:59Z');
    expect(incrementalWindow({ watermark: '2024-05-01T13:00:00.000+02:00', now, lookbackMs: 0, safetyLagMs: 0 }).from).toBe('2024-05-01T11:00:00Z');
    expect(incrementalWindow({ watermark: null, now: new Date('2024-05-01T12:00:00.999Z'), lookbackMs: 0, safetyLagMs: 1 }).to).toBe('2024-05-01T12:00:00Z');
  });

  it('consecutive windows cover every instant: the last partial second of one window is in the next', () => {
    // A window ends at now − lag floored; the next starts at that `to` minus the lookback (here none).
    const first = incrementalWindow({ watermark: '2024-05-01T11:00:00Z', now: new Date('2024-05-01T11:10:00.750Z'), lookbackMs: 0, safetyLagMs: 0 });
    const second = incrementalWindow({ watermark: first.to, now: new Date('2024-05-01T11:20:00.250Z'), lookbackMs: 0, safetyLagMs: 0 });
    expect(first.to).toBe('2024-05-01T11:10:00Z');
    expect(second.from).toBe(first.to);
    const stamps = ['2024-05-01T11:09:59.999Z', '2024-05-01T11:10:00.000Z', '2024-05-01T11:10:00.500Z', '2024-05-01T11:10:00.749Z'];
    const inWindow = (stamp: string, w: { from: string | null; to: string }) =>
      Date.parse(stamp) >= Date.parse(w.from ?? '0000-01-01T00:00:00Z') && Date.parse(stamp) < Date.parse(w.to);
    for (const stamp of stamps) expect([first, second].filter((w) => inWindow(stamp, w)), stamp).toHaveLength(1);
  });

  it('a null watermark reads from the beginning', () => {
    const window = incrementalWindow({ watermark: null, now, lookbackMs: 5 * MINUTE, safetyLagMs: 30_000 });
    expect(window).toEqual({ from: null, to: '2024-05-01T11:59:30Z' });
    expect(isEmptyWindow(window)).toBe(false);
  });

  it('a lookback crosses midnight and month ends in UTC', () => {
    expect(
      incrementalWindow({ watermark: '2024-03-01T00:01:00.000Z', now, lookbackMs: 2 * MINUTE, safetyLagMs: 0 }).from,
    ).toBe('2024-02-29T23:59:00Z');
  });

  it('is empty when now − lag is not after watermark − lookback', () => {
    const at = (watermark: string) => incrementalWindow({ watermark, now, lookbackMs: MINUTE, safetyLagMs: 2 * MINUTE });
    expect(isEmptyWindow(at('2024-05-01T11:59:00.000Z'))).toBe(true); // from 11:58 = to 11:58
    expect(isEmptyWindow(at('2024-05-01T12:30:00.000Z'))).toBe(true); // from after to
    expect(isEmptyWindow(at('2024-05-01T11:59:00.999Z'))).toBe(true); // from 11:58:00.999 floors to 11:58 = to
    expect(isEmptyWindow(at('2024-05-01T11:58:58.999Z'))).toBe(false); // from 11:57:58 < to 11:58
  });

  it('rejects negative or non-finite durations and malformed watermarks', () => {
    expect(() => incrementalWindow({ watermark: null, now, lookbackMs: -1, safetyLagMs: 0 })).toThrow(RangeError);
    expect(() => incrementalWindow({ watermark: null, now, lookbackMs: 0, safetyLagMs: Number.NaN })).toThrow(RangeError);
    expect(() => incrementalWindow({ watermark: 'yesterday', now, lookbackMs: 0, safetyLagMs: 0 })).toThrow(RangeError);
  });
});

describe('incrementalQuery', () => {
  it('filters on the half-open window with unquoted UTC literals in whole seconds', () => {
    expect(incrementalQuery('Contact', { from: '2024-05-01T10:55:00.000Z', to: '2024-05-01T11:58:00.000Z' })).toBe(
      'SELECT Id, FirstName, LastName, Email, Phone, AccountId, Account.Name, SystemModstamp, IsDeleted FROM Contact ' +
        'WHERE SystemModstamp >= 2024-05-01T10:55:00Z AND SystemModstamp < 2024-05-01T11:58:00Z ORDER BY SystemModstamp, Id',
    );
  });

  it('normalises Salesforce-form bounds to the SOQL literal form (milliseconds floored away)', () => {
    expect(incrementalQuery('Account', { from: '2024-05-01T12:55:00.000+0200', to: '2024-05-01T11:58:00.5+0000' })).toBe(
      'SELECT Id, Name, SystemModstamp, IsDeleted FROM Account WHERE SystemModstamp >= 2024-05-01T10:55:00Z AND SystemModstamp < 2024-05-01T11:58:00Z ORDER BY SystemModstamp, Id',
    );
  });

  it('only an upper bound when there is no watermark yet', () => {
    expect(incrementalQuery('Opportunity', { from: null, to: '2024-05-01T11:58:00.000Z' })).toBe(
      'SELECT Id, Name, Amount, StageName, CloseDate, AccountId, SystemModstamp, IsDeleted FROM Opportunity WHERE SystemModstamp < 2024-05-01T11:58:00Z ORDER BY SystemModstamp, Id',
    );
  });

  it('refuses an empty window', () => {
    expect(() => incrementalQuery('Contact', { from: '2024-05-01T12:00:00.000Z', to: '2024-05-01T12:00:00.000Z' })).toThrow(RangeError);
  });
});

describe('Salesforce datetimes', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it.each([
    ['2024-05-01T12:34:56.000+0000', '2024-05-01T12:34:56.000Z'],
    ['2024-05-01T12:34:56.789+0000', '2024-05-01T12:34:56.789Z'],
    ['2024-05-01T12:34:56Z', '2024-05-01T12:34:56.000Z'],
    ['2024-05-01T12:34:56.7Z', '2024-05-01T12:34:56.700Z'],
    ['2024-05-01T12:34:56.123456Z', '2024-05-01T12:34:56.123Z'],
    ['2024-05-01T00:30:00.000+0100', '2024-04-30T23:30:00.000Z'],
    ['2024-12-31T20:00:00.000-05:00', '2025-01-01T01:00:00.000Z'],
    ['0099-01-01T00:00:00.000+0000', '0099-01-01T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseSalesforceDateTime(text).toISOString()).toBe(iso);
  });

  it('the machine time zone plays no part', () => {
    for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Kathmandu']) {
      process.env.TZ = tz;
      expect(new Date(2024, 0, 1).getTimezoneOffset()).not.toBe(0);
      expect(parseSalesforceDateTime('2024-03-10T02:30:00.000+0000').toISOString()).toBe('2024-03-10T02:30:00.000Z');
      expect(parseSalesforceDateTime('2024-05-01T12:34:56.000+0000').getTime()).toBe(Date.UTC(2024, 4, 1, 12, 34, 56));
    }
  });

  it.each(['', '2024-05-01', '2024-05-01T12:34:56', '2024-05-01 12:34:56Z', '2024-02-30T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T12:60:00Z', '2024-05-01T12:00:00+1500', 'now'])(
    'rejects %j',
    (text) => {
      expect(() => parseSalesforceDateTime(text)).toThrow(RangeError);
    },
  );

  it('formats SOQL literals as Salesforce documents them: UTC, whole seconds (floored), no milliseconds', () => {
    expect(formatSoqlDateTime(new Date(Date.UTC(2024, 0, 1)))).toBe('2024-01-01T00:00:00Z');
    expect(formatSoqlDateTime(parseSalesforceDateTime('2024-05-01T12:34:56.007+0000'))).toBe('2024-05-01T12:34:56Z');
    expect(formatSoqlDateTime(parseSalesforceDateTime('2024-05-01T12:34:56.999+0000'))).toBe('2024-05-01T12:34:56Z');
    expect(formatSoqlDateTime(new Date('1969-12-31T23:59:59.500Z'))).toBe('1969-12-31T23:59:59Z');
    expect(() => formatSoqlDateTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});

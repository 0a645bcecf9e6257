import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_LENGTH,
  mapAccount,
  mapContact,
  mapOpportunity,
  type SalesforceContactRecord,
  type SalesforceOpportunityRecord,
} from '../../../domain/sync/mapping.js';

const attributes = { type: 'Contact', url: '/services/data/v62.0/sobjects/Contact/003000000000001AAA' };

function contact(fields: Partial<SalesforceContactRecord>): SalesforceContactRecord {
  return {
    attributes,
    Id: '003000000000001AAA',
    FirstName: 'Jane',
    LastName: 'Doe',
    Email: 'jane@acme.com',
    Phone: '+1 555 0100',
    AccountId: '001000000000001AAA',
    Account: { Name: 'Acme' },
    SystemModstamp: '2024-05-01T12:34:56.000+0000',
    IsDeleted: false,
    ...fields,
  };
}

function opportunity(fields: Partial<SalesforceOpportunityRecord>): SalesforceOpportunityRecord {
  return {
    attributes: { type: 'Opportunity' },
    Id: '006000000000001AAA',
    Name: 'Big deal',
    Amount: 1000,
    StageName: 'Prospecting',
    CloseDate: '2024-05-31',
    AccountId: '001000000000001AAA',
    SystemModstamp: '2024-05-01T12:34:56.000+0000',
    IsDeleted: false,
    ...fields,
  };
}

const codes = (issues: Array<{ code: string; field: string }>) => issues.map((i) => `${i.code}:${i.field}`);

describe('mapContact', () => {
  it('maps a clean record with no issues', () => {
    expect(mapContact(contact({}))).toEqual({
      row: {
        salesforce_contact_id: '003000000000001AAA',
        salesforce_account_id: '001000000000001AAA',
        full_name: 'Jane Doe',
        email: 'jane@acme.com',
        phone: '+1 555 0100',
        company_name: 'Acme',
      },
      issues: [],
    });
  });

  it.each([
    [{ FirstName: null, LastName: 'Doe' }, 'Doe'],
    [{ FirstName: 'Jane', LastName: null }, 'Jane'],
    [{ FirstName: '', LastName: 'Doe' }, 'Doe'],
    [{ FirstName: '   ', LastName: '  Doe ' }, 'Doe'],
    [{ FirstName: ' Mary  Ann ', LastName: '\tvan der\u00a0Berg\n' }, 'Mary Ann van der Berg'],
    [{ FirstName: null, LastName: null }, null],
    [{ FirstName: ' ', LastName: '' }, null],
    [{ FirstName: undefined, LastName: undefined }, null],
    [{ FirstName: 'Zoë', LastName: '王' }, 'Zoë 王'],
    [{ FirstName: 'José'.normalize('NFD'), LastName: 'Ñúñez'.normalize('NFD') }, 'José Ñúñez'],
  ])('full name from %j → %j', (names, expected) => {
    const { row } = mapContact(contact(names));
    expect(row.full_name).toBe(expected);
    if (expected !== null) expect(row.full_name).toBe(expected.normalize('NFC'));
  });

  it.each([
    ['Jane.Doe@Acme.COM', 'jane.doe@acme.com'],
    ['  jane@acme.com\t', 'jane@acme.com'],
    ['JANE+tag@Sub.Example.co.uk ', 'jane+tag@sub.example.co.uk'],
  ])('normalises email %j → %j without issues', (email, expected) => {
    const { row, issues } = mapContact(contact({ Email: email }));
    expect(row.email).toBe(expected);
    expect(issues).toEqual([]);
  });

  it.each([null, undefined, '', '   '])('missing email %j: stored without one, MISSING_EMAIL reported', (email) => {
    const { row, issues } = mapContact(contact({ Email: email }));
    expect(row.email).toBeNull();
    expect(row.full_name).toBe('Jane Doe');
    expect(issues).toEqual([
      { code: 'MISSING_EMAIL', field: 'Email', message: expect.any(String), salesforceId: '003000000000001AAA' },
    ]);
  });

  it.each(['jane', 'jane@', '@acme.com', 'jane@acme', 'jane doe@acme.com', 'jane@@acme.com', 'jane@acme..com'])(
    'invalid email %j: kept normalised, INVALID_EMAIL reported without the value',
    (email) => {
      const { row, issues } = mapContact(contact({ Email: ` ${email.toUpperCase()} ` }));
      expect(row.email).toBe(email.toLowerCase());
      expect(codes(issues)).toEqual(['INVALID_EMAIL:Email']);
      expect(issues[0]?.message).not.toContain(email.toLowerCase());
    },
  );

  it('an email longer than 254 characters is not cut into a different address: null + INVALID_EMAIL', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(186)}.com`; // 255 characters
    expect(email).toHaveLength(255);
    const { row, issues } = mapContact(contact({ Email: email }));
    expect(row.email).toBeNull();
    expect(codes(issues)).toEqual(['INVALID_EMAIL:Email']);

    const fits = email.slice(1); // 254 characters
    expect(mapContact(contact({ Email: fits })).row.email).toBe(fits);
  });

  it('trims the phone; empty phone is null', () => {
    expect(mapContact(contact({ Phone: '  (555) 010-0100 ' })).row.phone).toBe('(555) 010-0100');
    expect(mapContact(contact({ Phone: ' ' })).row.phone).toBeNull();
    expect(mapContact(contact({ Phone: null })).row.phone).toBeNull();
  });

  it('company name: nested Account.Name, Bulk flat column, then the lookup map; null without an account', () => {
    const names = new Map([['001000000000001AAA', 'From map']]);
    expect(mapContact(contact({ Account: { Name: ' Acme ' } }), names).row.company_name).toBe('Acme');
    expect(mapContact(contact({ Account: undefined, 'Account.Name': 'Flat Co' }), names).row.company_name).toBe('Flat Co');
    expect(mapContact(contact({ Account: undefined }), names).row.company_name).toBe('From map');
    expect(mapContact(contact({ Account: null, AccountId: null }), names)).toMatchObject({
      row: { company_name: null, salesforce_account_id: null },
      issues: [],
    });
    expect(mapContact(contact({ Account: undefined })).row.company_name).toBeNull();
  });

  it('over-long values are truncated to the limit with VALUE_TRUNCATED, never split inside a character', () => {
    const longName = '😀'.repeat(300); // 300 characters, 600 UTF-16 units
    const { row, issues } = mapContact(
      contact({ FirstName: null, LastName: longName, Phone: '5'.repeat(MAX_LENGTH.phone + 1), Account: { Name: 'x'.repeat(256) } }),
    );
    expect([...(row.full_name ?? '')]).toHaveLength(MAX_LENGTH.full_name);
    expect(row.full_name).toBe('😀'.repeat(MAX_LENGTH.full_name));
    expect(row.phone).toHaveLength(MAX_LENGTH.phone);
    expect(row.company_name).toHaveLength(MAX_LENGTH.company_name);
    expect(codes(issues)).toEqual(['VALUE_TRUNCATED:Name', 'VALUE_TRUNCATED:Phone', 'VALUE_TRUNCATED:Account.Name']);
    expect(issues.every((i) => i.salesforceId === '003000000000001AAA')).toBe(true);
  });

  it('a value exactly at the limit is not reported', () => {
    const { issues } = mapContact(contact({ FirstName: null, LastName: 'é'.repeat(MAX_LENGTH.full_name) }));
    expect(issues).toEqual([]);
  });

  it('a non-text value is reported, not a crash', () => {
    const record = contact({ Phone: { nested: true } as unknown as string });
    const { row, issues } = mapContact(record);
    expect(row.phone).toBeNull();
    expect(codes(issues)).toEqual(['UNPARSEABLE_VALUE:Phone']);
  });

  it('a record without an Id is a broken query, not dirty data', () => {
    expect(() => mapContact(contact({ Id: undefined }))).toThrow(/Id/);
  });
});

describe('mapOpportunity', () => {
  it('maps a clean record', () => {
    expect(mapOpportunity(opportunity({ Amount: 1234567.89 }))).toEqual({
      row: {
        salesforce_opportunity_id: '006000000000001AAA',
        salesforce_account_id: '001000000000001AAA',
        title: 'Big deal',
        value: '1234567.89',
        stage: 'Prospecting',
        expected_close_date: '2024-05-31',
      },
      issues: [],
    });
  });

  it.each([
    [null, null],
    [undefined, null],
    ['', null], // Bulk CSV's empty cell
    [0, '0'],
    [-0, '0'],
    ['0.00', '0'],
    [19.99, '19.99'],
    [JSON.parse('{"a":19.99}').a as number, '19.99'],
    [0.1, '0.1'],
    [1234567.89, '1234567.89'],
    [99999999999999.98, '99999999999999.98'],
    [-250.5, '-250.5'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    ['19.99', '19.99'],
    ['19.90', '19.9'],
    [' 0042.50 ', '42.5'],
    ['1e3', '1000'],
    ['+7', '7'],
    ['.5', '0.5'],
    ['123456789012345678901234567890.123456789', '123456789012345678901234567890.123456789'],
  ])('Amount %j → value %j exactly', (amount, expected) => {
    const { row, issues } = mapOpportunity(opportunity({ Amount: amount as number | string | null }));
    expect(row.value).toBe(expected);
    expect(issues).toEqual([]);
  });

  it('no float drift: a string amount never passes through a double', () => {
    // 0.1 + 0.2 as text stays exact; as a double it would be 0.30000000000000004.
    expect(mapOpportunity(opportunity({ Amount: '0.3' })).row.value).toBe('0.3');
    expect(mapOpportunity(opportunity({ Amount: '9007199254740993.01' })).row.value).toBe('9007199254740993.01');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'abc', '1,000.00', '12.3.4', '-', '.', '1e99999', true])(
    'Amount %j → null + UNPARSEABLE_VALUE (never 0)',
    (amount) => {
      const { row, issues } = mapOpportunity(opportunity({ Amount: amount as number }));
      expect(row.value).toBeNull();
      expect(issues).toEqual([
        { code: 'UNPARSEABLE_VALUE', field: 'Amount', message: expect.any(String), salesforceId: '006000000000001AAA' },
      ]);
    },
  );

  it.each(['2024-05-31', '2024-02-29', '2000-02-29', '1999-12-31', '2024-01-01', ' 2024-05-31 '])('CloseDate %j is kept as the same day', (date) => {
    const { row, issues } = mapOpportunity(opportunity({ CloseDate: date }));
    expect(row.expected_close_date).toBe(date.trim());
    expect(issues).toEqual([]);
  });

  it.each(['2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-5-31', '31/05/2024', '2024-05-31T00:00:00.000+0000', 'tomorrow'])(
    'CloseDate %j → null + UNPARSEABLE_VALUE',
    (date) => {
      const { row, issues } = mapOpportunity(opportunity({ CloseDate: date }));
      expect(row.expected_close_date).toBeNull();
      expect(codes(issues)).toEqual(['UNPARSEABLE_VALUE:CloseDate']);
    },
  );

  describe('in any machine time zone', () => {
    const original = process.env.TZ;
    afterEach(() => {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    });

    it.each(['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/Los_Angeles', 'Asia/Kolkata', 'UTC'])('%s: dates never drift', (tz) => {
      process.env.TZ = tz;
      // Sanity check that the zone took effect, so the test would catch a local-Date conversion.
      if (tz !== 'UTC') expect(new Date(2024, 0, 1).getTimezoneOffset()).not.toBe(0);
      for (const date of ['2024-01-01', '2024-05-31', '2024-12-31', '2024-03-10', '2024-11-03']) {
        expect(mapOpportunity(opportunity({ CloseDate: date })).row.expected_close_date).toBe(date);
      }
    });
  });

  it('null Amount and null CloseDate stay null without issues', () => {
    const { row, issues } = mapOpportunity(opportunity({ Amount: null, CloseDate: null, StageName: ' ', AccountId: null }));
    expect(row).toMatchObject({ value: null, expected_close_date: null, stage: null, salesforce_account_id: null });
    expect(issues).toEqual([]);
  });

  it('truncates over-long title and stage', () => {
    const { row, issues } = mapOpportunity(opportunity({ Name: 't'.repeat(MAX_LENGTH.title + 5), StageName: 's'.repeat(MAX_LENGTH.stage + 1) }));
    expect(row.title).toHaveLength(MAX_LENGTH.title);
    expect(row.stage).toHaveLength(MAX_LENGTH.stage);
    expect(codes(issues)).toEqual(['VALUE_TRUNCATED:Name', 'VALUE_TRUNCATED:StageName']);
  });

  it('collects several issues on one record', () => {
    const { row, issues } = mapOpportunity(opportunity({ Amount: 'n/a', CloseDate: '2024-02-30' }));
    expect(row).toMatchObject({ value: null, expected_close_date: null, title: 'Big deal' });
    expect(codes(issues)).toEqual(['UNPARSEABLE_VALUE:Amount', 'UNPARSEABLE_VALUE:CloseDate']);
  });
});

describe('mapAccount', () => {
  it('maps id and trimmed name', () => {
    expect(mapAccount({ attributes: { type: 'Account' }, Id: '001000000000001AAA', Name: ' Acme Inc. ' })).toEqual({
      row: { salesforce_account_id: '001000000000001AAA', name: 'Acme Inc.' },
      issues: [],
    });
  });

  it('truncates an over-long name', () => {
    const { row, issues } = mapAccount({ Id: '001000000000001AAA', Name: 'n'.repeat(MAX_LENGTH.account_name + 1) });
    expect(row.name).toHaveLength(MAX_LENGTH.account_name);
    expect(codes(issues)).toEqual(['VALUE_TRUNCATED:Name']);
  });
});

import { describe, expect, it } from 'vitest';
import { compileSoql, SoqlError } from './index.js';
import { fakeId, makeSchema, MemorySource } from './test-fixtures.js';

const schema = makeSchema(['Secret__c']);

function rejected(text: string): SoqlError {
  try {
    compileSoql(text, schema);
  } catch (e) {
    expect(e).toBeInstanceOf(SoqlError);
    return e as SoqlError;
  }
  throw new Error(`expected ${text} to be rejected`);
}

const NO_SUCH_COLUMN_TAIL =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

describe('compileSoql: names', () => {
  it('resolves names case-insensitively and reports canonical names', () => {
    const q = compileSoql('select id, FIRSTNAME, account.name, ACCOUNT.OWNER.NAME from contact', schema);
    expect(q.objectName).toBe('Contact');
    expect(q.isCount).toBe(false);
    expect(q.columns).toEqual(['Id', 'FirstName', 'Account.Name', 'Account.Owner.Name']);
  });

  it('accepts the object name or its alias as a qualifier', () => {
    const src = new MemorySource()
      .add('Account', { Id: fakeId('001', 1), Name: 'Acme' })
      .add('Contact', { Id: fakeId('003', 1), FirstName: 'Ann', LastName: 'B', Email: 'a@x.com', AccountId: fakeId('001', 1) })
      .add('Contact', { Id: fakeId('003', 2), FirstName: 'Cy', LastName: 'A', Email: null });
    const q = compileSoql('SELECT c.FirstName, c.Account.Name FROM Contact c WHERE c.Email != null ORDER BY c.LastName', schema);
    expect(q.columns).toEqual(['FirstName', 'Account.Name']);
    expect(q.execute(src).map((r) => q.toRecord(r, src, '62.0'))).toMatchObject([{ FirstName: 'Ann', Account: { Name: 'Acme' } }]);
    const named = compileSoql('SELECT Contact.FirstName, Contact.Account.Name FROM Contact ORDER BY Contact.LastName', schema);
    expect(named.columns).toEqual(['FirstName', 'Account.Name']);
    expect(named.execute(src).map((r) => r.FirstName)).toEqual(['Cy', 'Ann']);
    // On Opportunity, `Account` is a relationship, not a qualifier; `Opportunity` qualifies.
    expect(compileSoql('SELECT Opportunity.Name, Account.Name FROM Opportunity', schema).columns).toEqual(['Name', 'Account.Name']);
    // Once aliased, the alias is the qualifier.
    expect(rejected('SELECT Contact.FirstName FROM Contact c').message).toContain("Didn't understand relationship 'Contact'");
    expect(rejected('SELECT c.Nope FROM Contact c').message).toContain("No such column 'Nope' on entity 'Contact'");
  });

  it('unknown field: INVALID_FIELD with Salesforce message and caret', () => {
    const e = rejected('SELECT Id, Foo FROM Contact');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toBe(
      `\nSELECT Id, Foo FROM Contact\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Contact'. ${NO_SUCH_COLUMN_TAIL}`,
    );
    expect([e.row, e.column]).toEqual([1, 12]);
  });

  it('unknown field in WHERE and ORDER BY, on later rows', () => {
    const e = rejected('SELECT Id\nFROM Contact\nWHERE Nope__c = 1');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toBe(`\nWHERE Nope__c = 1\n      ^\nERROR at Row:3:Column:7\nNo such column 'Nope__c' on entity 'Contact'. ${NO_SUCH_COLUMN_TAIL}`);
    expect(rejected('SELECT Id FROM Contact ORDER BY Bogus').message).toContain("No such column 'Bogus' on entity 'Contact'");
  });

  it('a long text area is selectable but never filtered or sorted on (INVALID_FIELD)', () => {
    expect(compileSoql('SELECT Id, Description FROM Contact', schema).columns).toEqual(['Id', 'Description']);
    const filtered = rejected("SELECT Id FROM Contact WHERE Description = 'x'");
    expect(filtered.errorCode).toBe('INVALID_FIELD');
    expect(filtered.message).toContain("field 'Description' can not be filtered in a query call");
    expect(rejected("SELECT Id FROM Contact WHERE Description LIKE 'x%'").message).toContain('can not be filtered');
    expect(rejected('SELECT Id FROM Contact ORDER BY Description').message).toContain("field 'Description' can not be sorted in a query call");
  });

  it('unknown field on a parent names the parent entity', () => {
    const e = rejected('SELECT Account.Nme FROM Contact');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toContain("\nERROR at Row:1:Column:8\nNo such column 'Nme' on entity 'Account'.");
  });

  it("unknown relationship: Didn't understand relationship", () => {
    const e = rejected('SELECT Id, Acount.Name FROM Contact');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toBe(
      "\nSELECT Id, Acount.Name FROM Contact\n           ^\nERROR at Row:1:Column:12\nDidn't understand relationship 'Acount' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.",
    );
    // A reference field's own name is not a relationship.
    expect(rejected('SELECT AccountId.Name FROM Contact').message).toContain("Didn't understand relationship 'AccountId'");
    // A relationship name alone is not a column.
    expect(rejected('SELECT Account FROM Contact').message).toContain("No such column 'Account' on entity 'Contact'");
  });

  it('unknown or invisible object: INVALID_TYPE', () => {
    const e = rejected('SELECT Id FROM Foo');
    expect(e.errorCode).toBe('INVALID_TYPE');
    expect(e.message).toBe(
      "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
    );
    expect(rejected('SELECT Id FROM Secret__c').errorCode).toBe('INVALID_TYPE');
    expect(compileSoql('SELECT Id FROM Secret__c', makeSchema()).objectName).toBe('Secret__c');
  });

  it('syntax errors come before schema errors', () => {
    expect(rejected('SELECT Foo FROM Nowhere WHERE').errorCode).toBe('MALFORMED_QUERY');
  });

  it('duplicate field: INVALID_FIELD', () => {
    const e = rejected('SELECT Id, Name, id FROM Account');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toBe('duplicate field selected: Id');
  });

  it('COUNT() must stand alone', () => {
    expect(rejected('SELECT Id, COUNT() FROM Contact').errorCode).toBe('MALFORMED_QUERY');
    const q = compileSoql('SELECT COUNT() FROM Contact', schema);
    expect(q.isCount).toBe(true);
  });
});

describe('compileSoql: literal types', () => {
  it('quoted values on date, datetime, number and boolean fields are INVALID_FIELD', () => {
    const cases: Array<[string, string]> = [
      ["CreatedDate > '2024-01-01T00:00:00Z'", "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes"],
      ['CreatedDate > 2024-01-01', "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes"],
      ['Birthdate = 2024-01-01T00:00:00Z', "value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes"],
      ["Score__c = '5'", "value of filter criterion for field 'Score__c' must be of type double and should not be enclosed in quotes"],
      ["HasOptedOutOfEmail = 'true'", "value of filter criterion for field 'HasOptedOutOfEmail' must be of type boolean and should not be enclosed in quotes"],
      ['Email = 5', "value of filter criterion for field 'Email' must be of type string and should be enclosed in quotes"],
      ["Account.CreatedDate < 'x'", "value of filter criterion for field 'Account.CreatedDate' must be of type dateTime and should not be enclosed in quotes"],
    ];
    for (const [cond, message] of cases) {
      const e = rejected(`SELECT Id FROM Contact WHERE ${cond}`);
      expect(e.errorCode, cond).toBe('INVALID_FIELD');
      expect(e.message.endsWith(`\n${message}`), `${cond} → ${e.message}`).toBe(true);
    }
  });

  it('malformed Id literals and LIKE on Ids: INVALID_QUERY_FILTER_OPERATOR', () => {
    const e = rejected("SELECT Id FROM Contact WHERE Id = 'abc'");
    expect(e.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(e.message).toMatch(/\ninvalid ID field: abc$/);
    expect(rejected("SELECT Id FROM Contact WHERE AccountId IN ('001000000000001AAA', 'nope')").message).toMatch(/invalid ID field: nope$/);
    expect(rejected("SELECT Id FROM Contact WHERE Id LIKE '003%'").message).toMatch(/invalid operator on id field$/);
  });

  it('null is accepted for every type', () => {
    for (const f of ['Email', 'Score__c', 'Birthdate', 'CreatedDate', 'AccountId', 'Account.Name']) {
      expect(() => compileSoql(`SELECT Id FROM Contact WHERE ${f} = null`, schema)).not.toThrow();
    }
  });
});

describe('toRecord and toCsvValues', () => {
  const ACC = fakeId('001', 1);
  const USR = fakeId('005', 1);
  const src = new MemorySource()
    .add('User', { Id: USR, Name: 'Olivia Owner' })
    .add('Account', { Id: ACC, Name: 'Acme', OwnerId: USR, AnnualRevenue: 1500.5 })
    .add(
      'Contact',
      {
        Id: fakeId('003', 1), FirstName: 'Ann', LastName: 'Alpha', Email: 'ann@example.com', AccountId: ACC,
        Birthdate: '1990-05-01', HasOptedOutOfEmail: false, Score__c: 7.25, Description: 'line 1\nline "2", done',
        SystemModstamp: '2024-05-01T12:34:56.000Z',
      },
      { Id: fakeId('003', 2), FirstName: null, LastName: 'Beta', Email: '', AccountId: null, HasOptedOutOfEmail: true },
    );
  const q = compileSoql(
    'SELECT Id, FirstName, Email, Account.Name, Account.Owner.Name, Account.AnnualRevenue, Birthdate, HasOptedOutOfEmail, Score__c, SystemModstamp FROM Contact ORDER BY LastName',
    schema,
  );
  const [ann, beta] = q.execute(src);

  it('shapes REST records like Salesforce, nesting parents in SELECT order', () => {
    const rec = q.toRecord(ann!, src, '62.0');
    expect(JSON.stringify(rec)).toBe(
      JSON.stringify({
        attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${fakeId('003', 1)}` },
        Id: fakeId('003', 1),
        FirstName: 'Ann',
        Email: 'ann@example.com',
        Account: {
          attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${ACC}` },
          Name: 'Acme',
          Owner: { attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${USR}` }, Name: 'Olivia Owner' },
          AnnualRevenue: 1500.5,
        },
        Birthdate: '1990-05-01',
        HasOptedOutOfEmail: false,
        Score__c: 7.25,
        SystemModstamp: '2024-05-01T12:34:56.000+0000',
      }),
    );
  });

  it('a missing parent is null; blank text is null', () => {
    const rec = q.toRecord(beta!, src, 'v61.0');
    expect(rec).toEqual({
      attributes: { type: 'Contact', url: `/services/data/v61.0/sobjects/Contact/${fakeId('003', 2)}` },
      Id: fakeId('003', 2),
      FirstName: null,
      Email: null,
      Account: null,
      Birthdate: null,
      HasOptedOutOfEmail: true,
      Score__c: null,
      SystemModstamp: null,
    });
  });

  it('a parent present but its own parent missing nests a null', () => {
    const s2 = new MemorySource().add('Account', { Id: ACC, Name: 'Solo', OwnerId: null }).add('Contact', { Id: fakeId('003', 1), AccountId: ACC });
    const q2 = compileSoql('SELECT Account.Owner.Name, Account.Name FROM Contact', schema);
    const [row] = q2.execute(s2);
    expect(q2.toRecord(row!, s2, '62.0')).toEqual({
      attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${fakeId('003', 1)}` },
      Account: { attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${ACC}` }, Owner: null, Name: 'Solo' },
    });
  });

  it('CSV values follow the columns, Bulk 2.0 formats', () => {
    expect(q.columns).toEqual([
      'Id', 'FirstName', 'Email', 'Account.Name', 'Account.Owner.Name', 'Account.AnnualRevenue', 'Birthdate',
      'HasOptedOutOfEmail', 'Score__c', 'SystemModstamp',
    ]);
    expect(q.toCsvValues(ann!, src)).toEqual([
      fakeId('003', 1), 'Ann', 'ann@example.com', 'Acme', 'Olivia Owner', '1500.5', '1990-05-01', 'false', '7.25',
      '2024-05-01T12:34:56.000Z',
    ]);
    expect(q.toCsvValues(beta!, src)).toEqual([fakeId('003', 2), '', '', '', '', '', '', 'true', '', '']);
  });

  it('CSV values keep text verbatim (quoting is the CSV writer’s job)', () => {
    const q3 = compileSoql("SELECT Description FROM Contact WHERE FirstName = 'Ann'", schema);
    const [row] = q3.execute(src);
    expect(q3.toCsvValues(row!, src)).toEqual(['line 1\nline "2", done']);
  });
});

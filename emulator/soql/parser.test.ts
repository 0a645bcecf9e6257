import { describe, expect, it } from 'vitest';
import { parseSoql, SoqlError } from './index.js';
import { tokenize } from './lexer.js';
import type { SoqlCondition } from './types.js';

function where(text: string): SoqlCondition {
  const q = parseSoql(`SELECT Id FROM Contact WHERE ${text}`);
  if (!q.where) throw new Error('no WHERE parsed');
  return q.where;
}

function malformed(text: string): SoqlError {
  try {
    parseSoql(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SoqlError);
    return e as SoqlError;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('lexer', () => {
  it('reads dotted paths as one identifier and keeps positions', () => {
    const toks = tokenize('SELECT Account.Owner.Name FROM Contact');
    expect(toks.map((t) => [t.kind, t.text, t.start])).toEqual([
      ['ident', 'SELECT', 0],
      ['ident', 'Account.Owner.Name', 7],
      ['ident', 'FROM', 26],
      ['ident', 'Contact', 31],
      ['eof', '<EOF>', 38],
    ]);
  });

  it('distinguishes dates, datetimes and numbers', () => {
    const toks = tokenize('2024-01-31 2024-01-01T00:00:00Z 2024-01-01T00:00:00.000Z 2024-01-01T00:00:00+02:00 -12.5 42');
    expect(toks.slice(0, -1).map((t) => [t.kind, t.text])).toEqual([
      ['date', '2024-01-31'],
      ['datetime', '2024-01-01T00:00:00Z'],
      ['datetime', '2024-01-01T00:00:00.000Z'],
      ['datetime', '2024-01-01T00:00:00+02:00'],
      ['number', '-12.5'],
      ['number', '42'],
    ]);
  });

  it('decodes backslash escapes in strings', () => {
    const [tok] = tokenize(String.raw`'O\'Brien \\ \n\t\u00e9 \"q\"'`);
    expect(tok!.kind).toBe('string');
    expect(tok!.value).toBe('O\'Brien \\ \n\té "q"');
  });

  it('reads two-character operators', () => {
    const toks = tokenize('a != b <> c <= d >= e < f > g = h');
    expect(toks.filter((t) => t.kind === 'punct').map((t) => t.text)).toEqual(['!=', '<>', '<=', '>=', '<', '>', '=']);
  });
});

describe('parseSoql: clauses', () => {
  it('parses SELECT list, FROM, ORDER BY, LIMIT and OFFSET', () => {
    const q = parseSoql(
      'select Id, firstName, Account.Name from Contact order by LastName desc nulls first, Id limit 10 offset 5',
    );
    expect(q.select).toEqual([
      { kind: 'field', field: { path: ['Id'], text: 'Id', start: 7 } },
      { kind: 'field', field: { path: ['firstName'], text: 'firstName', start: 11 } },
      { kind: 'field', field: { path: ['Account', 'Name'], text: 'Account.Name', start: 22 } },
    ]);
    expect(q.from).toEqual({ name: 'Contact', start: 40 });
    expect(q.orderBy.map((o) => [o.field.text, o.direction, o.nulls])).toEqual([
      ['LastName', 'DESC', 'FIRST'],
      ['Id', 'ASC', 'FIRST'],
    ]);
    expect(q.limit).toBe(10);
    expect(q.offset).toBe(5);
    expect(q.where).toBeUndefined();
  });

  it('defaults NULLS FIRST for ASC and NULLS LAST for DESC', () => {
    const q = parseSoql('SELECT Id FROM Contact ORDER BY Email, Phone ASC, Name DESC, LastName DESC NULLS FIRST, FirstName NULLS LAST');
    expect(q.orderBy.map((o) => `${o.direction} ${o.nulls}`)).toEqual([
      'ASC FIRST',
      'ASC FIRST',
      'DESC LAST',
      'DESC FIRST',
      'ASC LAST',
    ]);
  });

  it('parses COUNT()', () => {
    const q = parseSoql("SELECT COUNT() FROM Contact WHERE Email != null");
    expect(q.select).toEqual([{ kind: 'count', start: 7 }]);
  });

  it('reads an object alias', () => {
    expect(parseSoql('SELECT c.Id FROM Contact c WHERE c.Email = null').from).toEqual({ name: 'Contact', start: 17, alias: 'c' });
    expect(parseSoql('SELECT Id FROM Contact WHERE Email = null').from.alias).toBeUndefined();
    expect(parseSoql('SELECT Id FROM Contact ORDER BY Id').from.alias).toBeUndefined();
    expect(parseSoql('SELECT Id FROM Contact LIMIT 1').from.alias).toBeUndefined();
    expect(malformed('SELECT Id FROM Contact c, c.Account a').message).toContain('is not supported');
  });

  it('spans several lines', () => {
    const q = parseSoql('SELECT Id\nFROM Contact\nWHERE Email = null\nLIMIT 1');
    expect(q.from.name).toBe('Contact');
    expect(q.limit).toBe(1);
  });
});

describe('parseSoql: WHERE', () => {
  it('parses every comparison operator, <> as !=', () => {
    const ops = ['=', '!=', '<>', '<', '<=', '>', '>='].map((op) => {
      const c = where(`Amount ${op} 5`);
      return c.kind === 'compare' ? c.op : c.kind;
    });
    expect(ops).toEqual(['=', '!=', '!=', '<', '<=', '>', '>=']);
  });

  it('parses literals of every kind', () => {
    const lit = (text: string) => {
      const c = where(`X = ${text}`);
      if (c.kind !== 'compare') throw new Error('not a comparison');
      return c.value;
    };
    expect(lit("'it\\'s'")).toMatchObject({ kind: 'string', value: "it's" });
    expect(lit('-3.25')).toMatchObject({ kind: 'number', value: -3.25 });
    expect(lit('TRUE')).toMatchObject({ kind: 'boolean', value: true });
    expect(lit('false')).toMatchObject({ kind: 'boolean', value: false });
    expect(lit('NULL')).toMatchObject({ kind: 'null' });
    expect(lit('2024-01-31')).toMatchObject({ kind: 'date', value: '2024-01-31' });
    expect(lit('2024-01-01T00:00:00Z')).toMatchObject({ kind: 'datetime', value: '2024-01-01T00:00:00.000Z', epochMs: Date.UTC(2024, 0, 1) });
    expect(lit('2024-01-01T00:00:00.123Z')).toMatchObject({ kind: 'datetime', value: '2024-01-01T00:00:00.123Z' });
    // The zone offset is from UTC: 00:00 at +02:00 is 22:00 the day before.
    expect(lit('2024-01-01T00:00:00+02:00')).toMatchObject({ kind: 'datetime', value: '2023-12-31T22:00:00.000Z' });
    expect(lit('2024-01-01T00:00:00-08:00')).toMatchObject({ kind: 'datetime', value: '2024-01-01T08:00:00.000Z' });
    expect(lit('today')).toMatchObject({ kind: 'dateLiteral', name: 'TODAY' });
    expect(lit('YESTERDAY')).toMatchObject({ kind: 'dateLiteral', name: 'YESTERDAY' });
    expect(lit('LAST_N_DAYS:30')).toMatchObject({ kind: 'dateLiteral', name: 'LAST_N_DAYS', n: 30 });
  });

  it('parses IN, NOT IN and LIKE', () => {
    expect(where("Email IN ('a@x.com', 'b@x.com')")).toMatchObject({
      kind: 'in',
      negated: false,
      values: [{ value: 'a@x.com' }, { value: 'b@x.com' }],
    });
    expect(where("Email NOT IN ('a@x.com')")).toMatchObject({ kind: 'in', negated: true });
    expect(where("Name LIKE 'Ac%'")).toMatchObject({ kind: 'like', pattern: { kind: 'string', value: 'Ac%' } });
  });

  it('parses AND chains, OR chains, NOT and parentheses', () => {
    expect(where('A = 1 AND B = 2 AND C = 3')).toMatchObject({ kind: 'and', operands: [{}, {}, {}] });
    expect(where('A = 1 OR B = 2')).toMatchObject({ kind: 'or', operands: [{}, {}] });
    expect(where('A = 1 AND (B = 2 OR C = 3)')).toMatchObject({
      kind: 'and',
      operands: [{ kind: 'compare' }, { kind: 'or', operands: [{}, {}] }],
    });
    expect(where('(A = 1 AND B = 2) OR C = 3')).toMatchObject({ kind: 'or', operands: [{ kind: 'and' }, { kind: 'compare' }] });
    expect(where('NOT A = 1')).toMatchObject({ kind: 'not', operand: { kind: 'compare' } });
    expect(where('A = 1 AND (NOT B = 2)')).toMatchObject({ kind: 'and', operands: [{}, { kind: 'not' }] });
    expect(where('NOT (A = 1 OR B = 2)')).toMatchObject({ kind: 'not', operand: { kind: 'or' } });
  });

  it('refuses to mix AND and OR without parentheses, like Salesforce', () => {
    const text = 'SELECT Id FROM Contact WHERE A = 1 AND B = 2 OR C = 3';
    const e = malformed(text);
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toMatch(/unexpected token: 'OR'$/);
    expect(e.column).toBe(text.indexOf(' OR ') + 2);
    expect(malformed('SELECT Id FROM Contact WHERE A = 1 OR B = 2 AND C = 3').message).toMatch(/unexpected token: 'AND'$/);
    expect(malformed('SELECT Id FROM Contact WHERE A = 1 AND NOT B = 2').message).toMatch(/unexpected token: 'NOT'$/);
  });
});

describe('parseSoql: syntax errors', () => {
  it('reports the unexpected token with row and column', () => {
    const e = malformed('SELECT Id, FROM Contact');
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toBe("\nSELECT Id, FROM Contact\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'");
    expect([e.row, e.column]).toEqual([1, 12]);
  });

  it("reports '<EOF>' one past the end", () => {
    expect(malformed('SELECT Id FROM Account WHERE').message).toBe(
      "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: '<EOF>'",
    );
  });

  it('reports the row of a multi-line query and shows that line', () => {
    const e = malformed('SELECT Id\nFROM Contact\nWHERE Email = = 1');
    expect(e.message).toBe("\nWHERE Email = = 1\n              ^\nERROR at Row:3:Column:15\nunexpected token: '='");
  });

  it('reports bad characters the way the Salesforce lexer does', () => {
    expect(malformed('select Id from Account where id = $sfid').message).toBe(
      "\nselect Id from Account where id = $sfid\n                                 ^\nERROR at Row:1:Column:34\nline 1:34 no viable alternative at character '$'",
    );
  });

  it('rejects unterminated strings, bad escapes, empty queries and empty IN lists', () => {
    expect(malformed("SELECT Id FROM Contact WHERE Name = 'abc").message).toContain("mismatched character '<EOF>'");
    expect(malformed("SELECT Id FROM Contact WHERE Name = 'a\\qb'").message).toContain('invalid escape sequence');
    expect(malformed('   ').message).toBe('SOQL statements cannot be empty or null');
    expect(malformed('SELECT Id FROM Contact WHERE Id IN ()').message).toMatch(/unexpected token: '\)'$/);
    expect(malformed('SELECT FROM Contact').message).toMatch(/unexpected token: 'FROM'$/);
    expect(malformed('SELECT Id FROM Contact LIMIT').message).toMatch(/unexpected token: '<EOF>'$/);
    expect(malformed('SELECT Id FROM Contact LIMIT 1.5').message).toMatch(/unexpected token: '1.5'$/);
    expect(malformed('SELECT Id FROM Contact WHERE CreatedDate > 2024-13-01T00:00:00Z').errorCode).toBe('MALFORMED_QUERY');
    expect(malformed('SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01T00:00:00').errorCode).toBe('MALFORMED_QUERY');
  });

  it('rejects OFFSET above 2000 with NUMBER_OUTSIDE_VALID_RANGE', () => {
    expect(parseSoql('SELECT Id FROM Contact LIMIT 5 OFFSET 2000').offset).toBe(2000);
    const e = malformed('SELECT Id FROM Contact LIMIT 5 OFFSET 2001');
    expect(e.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    expect(e.message).toMatch(/Maximum SOQL offset allowed is 2000$/);
  });

  it('names unsupported SOQL features instead of silently misreading them', () => {
    expect(malformed('SELECT Id, (SELECT Id FROM Contacts) FROM Account').message).toContain('subquery is not supported');
    expect(malformed('SELECT COUNT(Id) FROM Contact').message).toContain('COUNT(fieldName) is not supported');
    expect(malformed('SELECT Name FROM Contact GROUP BY Name').message).toContain('GROUP BY is not supported');
    expect(malformed('SELECT Id FROM Contact WHERE Id = :ids').message).toContain('bind variable is not supported');
    expect(malformed("SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)").message).toContain('semi-join');
  });
});

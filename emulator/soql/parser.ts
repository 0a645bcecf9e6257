// Recursive-descent parser for the SOQL subset. Syntax only: names are not resolved here.
//
// Grammar (keywords case-insensitive):
//   query      := SELECT selectItem (',' selectItem)* FROM ident
//                 [WHERE condition] [ORDER BY orderItem (',' orderItem)*] [LIMIT int] [OFFSET int]
//   selectItem := COUNT '(' ')' | path
//   condition  := NOT simple
//               | simple ( (AND simple)+ | (OR simple)+ )?
//   simple     := '(' condition ')' | path op literal | path [NOT] IN '(' literal (',' literal)* ')'
//               | path LIKE string
//   orderItem  := path [ASC|DESC] [NULLS (FIRST|LAST)]
// As in Salesforce, AND and OR cannot be mixed without parentheses ("A AND B OR C" is
// `unexpected token: 'OR'`), and NOT only starts a condition ("A AND NOT B" is rejected;
// write "A AND (NOT B)").

import { SoqlError, errorAt, unexpectedToken } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { parseDateLiteral, parseDateTimeLiteral, RELATIVE_DATE_LITERALS, RELATIVE_DATE_LITERALS_N } from './dates.js';
import type { ComparisonOperator, FieldRef, OrderByItem, SelectItem, SoqlCondition, SoqlLiteral, SoqlQuery } from './types.js';

/** Words that cannot be used as a field or object name in this subset. */
const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'ORDER', 'BY', 'ASC', 'DESC', 'NULLS',
  'FIRST', 'LAST', 'LIMIT', 'OFFSET', 'NULL', 'TRUE', 'FALSE', 'GROUP', 'HAVING', 'WITH', 'FOR',
  'USING', 'INCLUDES', 'EXCLUDES', 'TYPEOF', 'END', 'WHEN', 'THEN', 'ELSE',
]);

/** Words that end the FROM clause instead of naming an alias. */
const NOT_AN_ALIAS = new Set([...RESERVED, 'ORDER', 'LIMIT', 'OFFSET', 'ALL', 'UPDATE', 'VIEW', 'REFERENCE']);

/** Reasonable upper bound; Salesforce rejects numbers that do not fit a 32-bit int. */
const MAX_INT = 2_147_483_647;

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private isKeyword(t: Token, kw: string): boolean {
    return t.kind === 'ident' && t.text.length === kw.length && t.text.toUpperCase() === kw;
  }
  private atKeyword(kw: string): boolean {
    return this.isKeyword(this.peek(), kw);
  }
  private acceptKeyword(kw: string): boolean {
    if (this.atKeyword(kw)) {
      this.next();
      return true;
    }
    return false;
  }
  private unexpected(t: Token = this.peek()): SoqlError {
    return unexpectedToken(this.text, t.start, t.text);
  }
  private expectKeyword(kw: string): Token {
    if (!this.atKeyword(kw)) throw this.unexpected();
    return this.next();
  }
  private atPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }
  private expectPunct(p: string): Token {
    if (!this.atPunct(p)) throw this.unexpected();
    return this.next();
  }
  private unsupported(t: Token, what: string): SoqlError {
    return errorAt('MALFORMED_QUERY', this.text, t.start, `${what} is not supported by this Salesforce emulator`);
  }

  parseQuery(): SoqlQuery {
    if (this.peek().kind === 'eof') {
      throw new SoqlError('MALFORMED_QUERY', 'SOQL statements cannot be empty or null');
    }
    this.expectKeyword('SELECT');
    const select: SelectItem[] = [this.parseSelectItem()];
    while (this.atPunct(',')) {
      this.next();
      select.push(this.parseSelectItem());
    }
    this.expectKeyword('FROM');
    const fromTok = this.peek();
    if (fromTok.kind !== 'ident' || RESERVED.has(fromTok.text.toUpperCase()) || fromTok.text.includes('.')) {
      throw this.unexpected(fromTok);
    }
    this.next();
    const query: SoqlQuery = { text: this.text, select, from: { name: fromTok.text, start: fromTok.start }, orderBy: [] };
    // Alias notation: `FROM Contact c` lets fields be written `c.FirstName`.
    const aliasTok = this.peek();
    if (aliasTok.kind === 'ident' && !aliasTok.text.includes('.') && !NOT_AN_ALIAS.has(aliasTok.text.toUpperCase())) {
      this.next();
      query.from.alias = aliasTok.text;
    }
    if (this.atPunct(',')) throw this.unsupported(this.peek(), 'A second FROM entry (relationship alias)');

    if (this.acceptKeyword('WHERE')) query.where = this.parseCondition();
    if (this.atKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      query.orderBy.push(this.parseOrderItem());
      while (this.atPunct(',')) {
        this.next();
        query.orderBy.push(this.parseOrderItem());
      }
    }
    if (this.acceptKeyword('LIMIT')) query.limit = this.parseNonNegativeInt();
    if (this.atKeyword('OFFSET')) {
      this.next();
      const tok = this.peek();
      query.offset = this.parseNonNegativeInt();
      if (query.offset > 2000) {
        throw errorAt('NUMBER_OUTSIDE_VALID_RANGE', this.text, tok.start, 'Maximum SOQL offset allowed is 2000');
      }
    }
    const end = this.peek();
    if (end.kind !== 'eof') {
      for (const [kw, what] of [
        ['GROUP', 'GROUP BY'],
        ['HAVING', 'HAVING'],
        ['WITH', 'WITH'],
        ['FOR', 'FOR VIEW/REFERENCE/UPDATE'],
        ['USING', 'USING SCOPE'],
        ['ALL', 'ALL ROWS'],
      ] as const) {
        if (this.isKeyword(end, kw)) throw this.unsupported(end, what);
      }
      throw this.unexpected(end);
    }
    return query;
  }

  private parseSelectItem(): SelectItem {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '(') throw this.unsupported(t, 'A relationship subquery');
    if (t.kind === 'ident' && this.peek(1).kind === 'punct' && this.peek(1).text === '(') {
      const fn = t.text.toUpperCase();
      if (fn === 'COUNT') {
        this.next();
        this.next();
        if (!this.atPunct(')')) {
          if (this.peek().kind === 'ident') throw this.unsupported(this.peek(), 'COUNT(fieldName)');
          throw this.unexpected();
        }
        this.next();
        return { kind: 'count', start: t.start };
      }
      if (fn !== 'SELECT' && fn !== 'FROM') throw this.unsupported(t, `${fn}()`);
    }
    if (this.isKeyword(t, 'TYPEOF')) throw this.unsupported(t, 'TYPEOF');
    return { kind: 'field', field: this.parseFieldRef() };
  }

  private parseFieldRef(): FieldRef {
    const t = this.peek();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toUpperCase())) throw this.unexpected(t);
    this.next();
    return { path: t.text.split('.'), text: t.text, start: t.start };
  }

  private parseNonNegativeInt(): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw this.unexpected(t);
    this.next();
    const v = Number(t.text);
    if (!Number.isSafeInteger(v) || v > MAX_INT) {
      throw errorAt('MALFORMED_QUERY', this.text, t.start, `numeric value out of range: ${t.text}`);
    }
    return v;
  }

  private parseOrderItem(): OrderByItem {
    const field = this.parseFieldRef();
    let direction: 'ASC' | 'DESC' = 'ASC';
    if (this.acceptKeyword('ASC')) direction = 'ASC';
    else if (this.acceptKeyword('DESC')) direction = 'DESC';
    let nulls: 'FIRST' | 'LAST' = direction === 'ASC' ? 'FIRST' : 'LAST';
    if (this.acceptKeyword('NULLS')) {
      if (this.acceptKeyword('FIRST')) nulls = 'FIRST';
      else if (this.acceptKeyword('LAST')) nulls = 'LAST';
      else throw this.unexpected();
    }
    return { field, direction, nulls };
  }

  // condition := NOT simple | simple ((AND simple)+ | (OR simple)+)?
  private parseCondition(): SoqlCondition {
    if (this.acceptKeyword('NOT')) {
      return { kind: 'not', operand: this.parseSimple() };
    }
    const first = this.parseSimple();
    const joiner = this.atKeyword('AND') ? 'AND' : this.atKeyword('OR') ? 'OR' : undefined;
    if (!joiner) return first;
    const operands = [first];
    while (this.acceptKeyword(joiner)) operands.push(this.parseSimple());
    return { kind: joiner === 'AND' ? 'and' : 'or', operands };
  }

  private parseSimple(): SoqlCondition {
    if (this.atPunct('(')) {
      this.next();
      const inner = this.parseCondition();
      this.expectPunct(')');
      return inner;
    }
    const fieldTok = this.peek();
    if (fieldTok.kind === 'ident' && this.peek(1).kind === 'punct' && this.peek(1).text === '(' && !RESERVED.has(fieldTok.text.toUpperCase())) {
      throw this.unsupported(fieldTok, `${fieldTok.text.toUpperCase()}() in WHERE`);
    }
    const field = this.parseFieldRef();
    const opTok = this.peek();
    if (opTok.kind === 'punct') {
      const op = opTok.text === '<>' ? '!=' : opTok.text;
      if (op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') {
        this.next();
        return { kind: 'compare', field, op: op as ComparisonOperator, value: this.parseLiteral(), opStart: opTok.start };
      }
      throw this.unexpected(opTok);
    }
    if (this.isKeyword(opTok, 'LIKE')) {
      this.next();
      const pattern = this.parseLiteral();
      return { kind: 'like', field, pattern, opStart: opTok.start };
    }
    if (this.isKeyword(opTok, 'IN')) {
      this.next();
      return { kind: 'in', field, negated: false, values: this.parseLiteralList(), opStart: opTok.start };
    }
    if (this.isKeyword(opTok, 'NOT') && this.isKeyword(this.peek(1), 'IN')) {
      this.next();
      this.next();
      return { kind: 'in', field, negated: true, values: this.parseLiteralList(), opStart: opTok.start };
    }
    if (this.isKeyword(opTok, 'INCLUDES') || this.isKeyword(opTok, 'EXCLUDES')) {
      throw this.unsupported(opTok, opTok.text.toUpperCase());
    }
    throw this.unexpected(opTok);
  }

  private parseLiteralList(): SoqlLiteral[] {
    this.expectPunct('(');
    if (this.peek().kind === 'ident' && this.isKeyword(this.peek(), 'SELECT')) {
      throw this.unsupported(this.peek(), 'A semi-join subquery');
    }
    const values = [this.parseLiteral()];
    while (this.atPunct(',')) {
      this.next();
      values.push(this.parseLiteral());
    }
    this.expectPunct(')');
    return values;
  }

  private parseLiteral(): SoqlLiteral {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.next();
        return { kind: 'string', value: t.value ?? '', raw: t.text, start: t.start };
      case 'number': {
        this.next();
        return { kind: 'number', value: Number(t.text), raw: t.text, start: t.start };
      }
      case 'date': {
        const v = parseDateLiteral(t.text);
        if (v === undefined) throw errorAt('MALFORMED_QUERY', this.text, t.start, `invalid date: ${t.text}`);
        this.next();
        return { kind: 'date', value: v, raw: t.text, start: t.start };
      }
      case 'datetime': {
        const ms = parseDateTimeLiteral(t.text);
        if (ms === undefined) throw errorAt('MALFORMED_QUERY', this.text, t.start, `invalid datetime: ${t.text}`);
        this.next();
        return { kind: 'datetime', value: new Date(ms).toISOString(), epochMs: ms, raw: t.text, start: t.start };
      }
      case 'ident': {
        const upper = t.text.toUpperCase();
        if (upper === 'NULL') {
          this.next();
          return { kind: 'null', raw: t.text, start: t.start };
        }
        if (upper === 'TRUE' || upper === 'FALSE') {
          this.next();
          return { kind: 'boolean', value: upper === 'TRUE', raw: t.text, start: t.start };
        }
        if (RELATIVE_DATE_LITERALS.has(upper)) {
          this.next();
          return { kind: 'dateLiteral', name: upper, raw: t.text, start: t.start };
        }
        if (RELATIVE_DATE_LITERALS_N.has(upper)) {
          this.next();
          this.expectPunct(':');
          const nTok = this.peek();
          const n = this.parseNonNegativeInt();
          return { kind: 'dateLiteral', name: upper, n, raw: this.text.slice(t.start, nTok.start + nTok.text.length), start: t.start };
        }
        throw this.unexpected(t);
      }
      case 'punct':
        if (t.text === ':' && this.peek(1).kind === 'ident') throw this.unsupported(t, 'A bind variable');
        throw this.unexpected(t);
      default:
        throw this.unexpected(t);
    }
  }
}

/** Parses a SOQL query (syntax only). Throws SoqlError MALFORMED_QUERY (or NUMBER_OUTSIDE_VALID_RANGE for OFFSET > 2000). */
export function parseSoql(text: string): SoqlQuery {
  const tokens = tokenize(text);
  return new Parser(text, tokens).parseQuery();
}

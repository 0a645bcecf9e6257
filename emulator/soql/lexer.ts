// Tokenizer for the SOQL subset. One pass over the text, no regex per character.

import { lexerErrorAt } from './errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token ('<EOF>' for the end). Identifiers may be dotted paths: 'Account.Name'. */
  text: string;
  /** 0-based offset in the query. */
  start: number;
  /** For strings: the decoded value (escapes resolved; \% and \_ kept as '%' and '_'). */
  value?: string;
}

const enum Ch {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  Quote = 39, // '
  Backslash = 92,
  Dot = 46,
  Minus = 45,
  Plus = 43,
  Colon = 58,
  Zero = 48,
  Nine = 57,
  Underscore = 95,
}

function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}
function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === Ch.Underscore;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  // LIKE-only escapes: in a LIKE pattern the raw text is re-read to keep them literal.
  '%': '%',
  _: '_',
};

// 'YYYY-MM-DD' or 'YYYY-MM-DDThh:mm:ss(.fff)(Z|±hh:mm|±hhmm)' starting at i; returns the end offset or -1.
function matchDateOrDateTime(s: string, i: number): { end: number; isDateTime: boolean } | undefined {
  const d = (k: number) => isDigit(s.charCodeAt(k));
  if (!(d(i) && d(i + 1) && d(i + 2) && d(i + 3) && s.charCodeAt(i + 4) === Ch.Minus && d(i + 5) && d(i + 6) && s.charCodeAt(i + 7) === Ch.Minus && d(i + 8) && d(i + 9))) {
    return undefined;
  }
  const dateEnd = i + 10;
  if (s[dateEnd] !== 'T') return { end: dateEnd, isDateTime: false };
  let j = dateEnd + 1;
  if (!(d(j) && d(j + 1) && s.charCodeAt(j + 2) === Ch.Colon && d(j + 3) && d(j + 4) && s.charCodeAt(j + 5) === Ch.Colon && d(j + 6) && d(j + 7))) {
    return { end: dateEnd, isDateTime: false };
  }
  j += 8;
  if (s.charCodeAt(j) === Ch.Dot && d(j + 1)) {
    j++;
    while (d(j)) j++;
  }
  const z = s[j];
  if (z === 'Z' || z === 'z') return { end: j + 1, isDateTime: true };
  if (z === '+' || z === '-') {
    if (d(j + 1) && d(j + 2)) {
      if (s.charCodeAt(j + 3) === Ch.Colon && d(j + 4) && d(j + 5)) return { end: j + 6, isDateTime: true };
      if (d(j + 3) && d(j + 4)) return { end: j + 5, isDateTime: true };
    }
  }
  // A datetime without a zone is not valid SOQL; report the date part and let the parser choke on the rest.
  return { end: dateEnd, isDateTime: false };
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === Ch.Space || c === Ch.Tab || c === Ch.LF || c === Ch.CR) {
      i++;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      for (;;) {
        while (i < n && isIdentPart(text.charCodeAt(i))) i++;
        if (text.charCodeAt(i) === Ch.Dot && isIdentStart(text.charCodeAt(i + 1))) {
          i++;
          continue;
        }
        break;
      }
      tokens.push({ kind: 'ident', text: text.slice(start, i), start });
      continue;
    }
    if (isDigit(c) || ((c === Ch.Minus || c === Ch.Plus) && isDigit(text.charCodeAt(i + 1)))) {
      if (isDigit(c)) {
        const dt = matchDateOrDateTime(text, i);
        if (dt) {
          i = dt.end;
          tokens.push({ kind: dt.isDateTime ? 'datetime' : 'date', text: text.slice(start, i), start });
          continue;
        }
      }
      i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === Ch.Dot && isDigit(text.charCodeAt(i + 1))) {
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      tokens.push({ kind: 'number', text: text.slice(start, i), start });
      continue;
    }
    if (c === Ch.Quote) {
      i++;
      let value = '';
      let segment = i;
      for (;;) {
        if (i >= n) {
          throw lexerErrorAt(text, n, (row, col) => `line ${row}:${col} mismatched character '<EOF>' expecting '''`);
        }
        const ch = text.charCodeAt(i);
        if (ch === Ch.Quote) break;
        if (ch === Ch.Backslash) {
          value += text.slice(segment, i);
          const next = text[i + 1];
          if (next === undefined) {
            throw lexerErrorAt(text, n, (row, col) => `line ${row}:${col} mismatched character '<EOF>' expecting '''`);
          }
          if (next === 'u' || next === 'U') {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              throw lexerErrorAt(text, i, (row, col) => `line ${row}:${col} invalid escape sequence '\\${next}${hex}' in string literal`);
            }
            value += String.fromCharCode(parseInt(hex, 16));
            i += 6;
          } else {
            const decoded = SIMPLE_ESCAPES[next];
            if (decoded === undefined) {
              throw lexerErrorAt(text, i, (row, col) => `line ${row}:${col} invalid escape sequence '\\${next}' in string literal`);
            }
            value += decoded;
            i += 2;
          }
          segment = i;
          continue;
        }
        i++;
      }
      value += text.slice(segment, i);
      i++; // closing quote
      tokens.push({ kind: 'string', text: text.slice(start, i), start, value });
      continue;
    }
    // Punctuation
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      i += 2;
      tokens.push({ kind: 'punct', text: two, start });
      continue;
    }
    const one = text[i]!;
    if (one === '(' || one === ')' || one === ',' || one === '=' || one === '<' || one === '>' || one === ':') {
      i++;
      tokens.push({ kind: 'punct', text: one, start });
      continue;
    }
    throw lexerErrorAt(text, i, (row, col) => `line ${row}:${col} no viable alternative at character '${one}'`);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', start: n });
  return tokens;
}

// SoqlError and the Salesforce message shapes.
//
// Salesforce reports a SOQL problem at a position like this (REST `message`):
//   "\nSELECT Id, Foo FROM Contact\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' …"
// i.e. a newline, the query line the error is on, a caret under the offending token,
// "ERROR at Row:R:Column:C" (both 1-based) and the description.

export type SoqlErrorCode =
  | 'MALFORMED_QUERY'
  | 'INVALID_FIELD'
  | 'INVALID_TYPE'
  /** e.g. "invalid ID field: abc", "invalid operator on id field" */
  | 'INVALID_QUERY_FILTER_OPERATOR'
  /** e.g. OFFSET above 2000 */
  | 'NUMBER_OUTSIDE_VALID_RANGE';

export class SoqlError extends Error {
  override readonly name = 'SoqlError';
  readonly errorCode: SoqlErrorCode;
  /** 1-based row/column as in the message, when the error points at a position. */
  readonly row: number | undefined;
  readonly column: number | undefined;

  constructor(errorCode: SoqlErrorCode, message: string, row?: number, column?: number) {
    super(message);
    this.errorCode = errorCode;
    this.row = row;
    this.column = column;
  }
}

/** 1-based row and column of a 0-based offset in `text`, and the text of that row. */
export function locate(text: string, offset: number): { row: number; column: number; line: string } {
  const at = Math.max(0, Math.min(offset, text.length));
  let row = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (text.charCodeAt(i) === 10 /* \n */) {
      row++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd === -1) lineEnd = text.length;
  let line = text.slice(lineStart, lineEnd);
  if (line.endsWith('\r')) line = line.slice(0, -1);
  return { row, column: at - lineStart + 1, line };
}

function caretBlock(line: string, row: number, column: number, detail: string): string {
  return `\n${line}\n${' '.repeat(Math.max(0, column - 1))}^\nERROR at Row:${row}:Column:${column}\n${detail}`;
}

/** An error pointing at `offset` in the query, in Salesforce's caret format. */
export function errorAt(code: SoqlErrorCode, text: string, offset: number, detail: string): SoqlError {
  const { row, column, line } = locate(text, offset);
  return new SoqlError(code, caretBlock(line, row, column, detail), row, column);
}

/**
 * A lexer-level error (bad character, unterminated string). Salesforce passes these through from
 * its ANTLR lexer: the detail reads "line R:C …" with C the 0-based character position, and the
 * same C is reported as the Column (so the caret lands one to the left of the character).
 */
export function lexerErrorAt(text: string, offset: number, detail: (row: number, col0: number) => string): SoqlError {
  const { row, column, line } = locate(text, offset);
  const col0 = column - 1;
  return new SoqlError('MALFORMED_QUERY', caretBlock(line, row, col0, detail(row, col0)), row, col0);
}

export function unexpectedToken(text: string, offset: number, tokenText: string): SoqlError {
  return errorAt('MALFORMED_QUERY', text, offset, `unexpected token: '${tokenText}'`);
}

export function noSuchColumn(text: string, offset: number, column: string, entity: string): SoqlError {
  return errorAt(
    'INVALID_FIELD',
    text,
    offset,
    `No such column '${column}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

export function unknownRelationship(text: string, offset: number, relationship: string): SoqlError {
  return errorAt(
    'INVALID_FIELD',
    text,
    offset,
    `Didn't understand relationship '${relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

export function unsupportedObject(text: string, offset: number, objectName: string): SoqlError {
  return errorAt(
    'INVALID_TYPE',
    text,
    offset,
    `sObject type '${objectName}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

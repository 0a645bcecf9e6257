// Public types of the SOQL engine: the schema and data the emulator hands in, the parsed
// query (AST) and the compiled query it gets back.

export type SoqlFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'reference'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime';

export interface SoqlField {
  name: string;
  type: SoqlFieldType;
  relationshipName?: string;
  referenceTo?: string[];
  /** A long text area (textarea over 255 characters): selectable, but never filtered or sorted on. */
  longText?: boolean;
}

export interface SoqlObject {
  name: string;
  fields: SoqlField[];
}

export interface SoqlSchema {
  /** Object by name, case-insensitive; undefined when the object does not exist OR is not visible to the user. */
  getObject(name: string): SoqlObject | undefined;
}

/**
 * A stored row: canonical field names → values. Dates 'YYYY-MM-DD', datetimes ISO strings like
 * '2024-05-01T12:34:56.000Z' (UTC), numbers, booleans, null. Always has Id and IsDeleted.
 */
export type SoqlRow = Record<string, unknown>;

export interface SoqlDataSource {
  /** All rows of an object (including deleted ones; the evaluator filters IsDeleted unless includeDeleted). */
  rows(objectName: string): Iterable<SoqlRow>;
  /** Row by Id (for resolving parent relationships); any object. */
  byId(id: string): { objectName: string; row: SoqlRow } | undefined;
}

export interface ExecuteOptions {
  /** queryAll / Bulk `queryAll`: keep rows with IsDeleted = true. */
  includeDeleted?: boolean;
  /** The clock for relative date literals (TODAY, LAST_N_DAYS:n …). Defaults to the real time. */
  now?: Date;
}

export interface CompiledQuery {
  /** Canonical object name. */
  objectName: string;
  isCount: boolean;
  /** Output column paths in SELECT order, canonical, e.g. ['Id','FirstName','Account.Name'] (used for Bulk CSV headers). Empty for COUNT(). */
  columns: string[];
  /** Runs the query: filtered, ordered, offset/limit applied. Returns the matching source rows (not yet shaped). */
  execute(source: SoqlDataSource, options?: ExecuteOptions): SoqlRow[];
  /**
   * Shapes one row for REST JSON output like Salesforce:
   * {attributes:{type,url}, Id, ..., Account: {attributes:{type,url}, Name} | null};
   * datetimes formatted '2024-05-01T12:34:56.000+0000'. apiVersion like '62.0' goes into attributes.url.
   */
  toRecord(row: SoqlRow, source: SoqlDataSource, apiVersion: string): Record<string, unknown>;
  /** Flat values in `columns` order for Bulk API CSV (null → ''; datetimes '2024-05-01T12:34:56.000Z'; booleans 'true'/'false'). */
  toCsvValues(row: SoqlRow, source: SoqlDataSource): string[];
}

// ---------------------------------------------------------------------------------------------
// AST produced by parseSoql (syntax only; names are as written, not yet resolved).
// `start` is the 0-based offset of the construct in the query text.
// ---------------------------------------------------------------------------------------------

export interface FieldRef {
  /** Path segments as written, e.g. ['Account', 'Name']. */
  path: string[];
  /** The path as written, e.g. 'Account.Name'. */
  text: string;
  start: number;
}

export type SelectItem = { kind: 'field'; field: FieldRef } | { kind: 'count'; start: number };

export type SoqlLiteral =
  | { kind: 'string'; /** decoded value (escapes resolved) */ value: string; /** source text including quotes */ raw: string; start: number }
  | { kind: 'number'; value: number; raw: string; start: number }
  | { kind: 'boolean'; value: boolean; raw: string; start: number }
  | { kind: 'null'; raw: string; start: number }
  | { kind: 'date'; /** 'YYYY-MM-DD' */ value: string; raw: string; start: number }
  | { kind: 'datetime'; /** canonical UTC ISO string 'YYYY-MM-DDTHH:mm:ss.sssZ' */ value: string; epochMs: number; raw: string; start: number }
  | { kind: 'dateLiteral'; /** upper-case name, e.g. 'TODAY', 'LAST_N_DAYS' */ name: string; n?: number; raw: string; start: number };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type SoqlCondition =
  | { kind: 'and'; operands: SoqlCondition[] }
  | { kind: 'or'; operands: SoqlCondition[] }
  | { kind: 'not'; operand: SoqlCondition }
  | { kind: 'compare'; field: FieldRef; op: ComparisonOperator; value: SoqlLiteral; opStart: number }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: SoqlLiteral[]; opStart: number }
  | { kind: 'like'; field: FieldRef; pattern: SoqlLiteral; opStart: number };

export interface OrderByItem {
  field: FieldRef;
  direction: 'ASC' | 'DESC';
  /** Resolved: explicit NULLS FIRST/LAST, else ASC → FIRST, DESC → LAST (Salesforce defaults). */
  nulls: 'FIRST' | 'LAST';
}

export interface SoqlQuery {
  text: string;
  select: SelectItem[];
  /** The object, and its alias when written `FROM Contact c`. */
  from: { name: string; start: number; alias?: string };
  where?: SoqlCondition;
  orderBy: OrderByItem[];
  limit?: number;
  offset?: number;
}

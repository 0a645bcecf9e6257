// SOQL engine of the Salesforce emulator: parser + evaluator for the subset the emulator serves
// through REST /query, /queryAll and Bulk API 2.0 query jobs.
//
// Supported (faithful to Salesforce):
//   SELECT field, Parent.Field, Parent.Parent.Field | COUNT()   (case-insensitive; canonical names out)
//   FROM Object [alias]            (fields may be qualified with the object name or the alias)
//   WHERE  = != <> < <= > >= IN NOT IN LIKE, AND / OR / NOT, parentheses. As in Salesforce, AND and
//          OR cannot be mixed without parentheses, and NOT only starts a (parenthesised) condition.
//          Literals: 'strings' (backslash escapes, \uXXXX), numbers, true/false, null, dates
//          2024-01-31, datetimes 2024-01-01T00:00:00Z / .000Z / +02:00, and relative date literals
//          (TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:n, NEXT_N_DAYS:n, N_DAYS_AGO:n, THIS/LAST/NEXT_WEEK,
//          _MONTH, _YEAR, LAST_90_DAYS, NEXT_90_DAYS, LAST/NEXT_N_WEEKS/MONTHS/YEARS:n; UTC days,
//          weeks from Sunday).
//   ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …   LIMIT n   OFFSET n (≤ 2000)
// Semantics: text = / != / IN / LIKE case-insensitive; != and NOT IN also match nulls; '' is null;
// Ids compare by their 15-character form (an 18-character literal's suffix fixes its case);
// datetimes compare as instants; a date literal only fits a date field and a datetime literal only a
// datetime field (INVALID_FIELD otherwise); null parents read as null.
// Not supported (MALFORMED_QUERY "… is not supported by this Salesforce emulator"): subqueries,
// semi-joins, aggregates other than COUNT(), GROUP BY/HAVING, TYPEOF, functions, bind variables,
// INCLUDES/EXCLUDES, WITH, FOR VIEW/UPDATE, USING SCOPE, fiscal date literals, multi-entry FROM.

export type {
  CompiledQuery,
  ComparisonOperator,
  ExecuteOptions,
  FieldRef,
  OrderByItem,
  SelectItem,
  SoqlCondition,
  SoqlDataSource,
  SoqlField,
  SoqlFieldType,
  SoqlLiteral,
  SoqlObject,
  SoqlQuery,
  SoqlRow,
  SoqlSchema,
} from './types.js';
export { SoqlError, type SoqlErrorCode } from './errors.js';
export { parseSoql } from './parser.js';
export { compileSoql, normalizeIdLiteral } from './compile.js';

// SOQL engine of the Salesforce emulator: parser + evaluator for the subset the emulator serves
// through REST /query, /queryAll and Bulk API 2.0 query jobs.

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

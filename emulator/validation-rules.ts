// Validation rules an org admin would write in Setup, reduced to one comparison each: when the
// condition holds for the record being saved, the save fails with FIELD_CUSTOM_VALIDATION_EXCEPTION
// and the rule's message, shown at the rule's field (or at the top of the page without one).
import type { SaveError } from './dml.js';
import type { ObjectDef } from './schema.js';
import type { Org, Row } from './store.js';

export const VALIDATION_OPS = ['equals', 'notEquals', 'isBlank', 'isNotBlank', 'greaterThan', 'lessThan', 'greaterOrEqual', 'lessOrEqual', 'contains'] as const;
export type ValidationOp = (typeof VALIDATION_OPS)[number];

export interface ValidationRule {
  object: string;
  name: string;
  /** Where the error is shown; it is also the error's `fields`. */
  field?: string;
  condition: { field: string; op: ValidationOp; value?: string | number | boolean | null };
  message: string;
  active: boolean;
}

const rulesByOrg = new WeakMap<Org, Map<string, ValidationRule>>();

function rules(org: Org): Map<string, ValidationRule> {
  let map = rulesByOrg.get(org);
  if (!map) rulesByOrg.set(org, (map = new Map()));
  return map;
}

const key = (object: string, name: string) => `${object}.${name}`.toLowerCase();

/** Field names resolved case-insensitively against the object; an unknown one is a clear error. */
function fieldName(obj: ObjectDef, name: string): string {
  const f = obj.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!f) throw new Error(`${obj.name} has no field ${name}`);
  return f.name;
}

/** Adds or replaces (by object and name) a rule; returns it with names as the object spells them. */
export function setValidationRule(org: Org, input: Omit<ValidationRule, 'active'> & { active?: boolean }): ValidationRule {
  const obj = org.object(input.object);
  if (!obj) throw new Error(`Unknown sObject ${input.object}`);
  if (!['isBlank', 'isNotBlank'].includes(input.condition.op) && input.condition.value === undefined) {
    throw new Error(`Operator ${input.condition.op} needs a value`);
  }
  const rule: ValidationRule = {
    object: obj.name,
    name: input.name,
    ...(input.field ? { field: fieldName(obj, input.field) } : {}),
    condition: { ...input.condition, field: fieldName(obj, input.condition.field) },
    message: input.message,
    active: input.active ?? true,
  };
  rules(org).set(key(rule.object, rule.name), rule);
  return rule;
}

export function deleteValidationRule(org: Org, object: string, name: string): boolean {
  return rules(org).delete(key(org.object(object)?.name ?? object, name));
}

export function listValidationRules(org: Org): ValidationRule[] {
  return [...rules(org).values()];
}

const blank = (v: unknown) => v === null || v === undefined || v === '';

function holds(condition: ValidationRule['condition'], row: Row): boolean {
  const actual = row[condition.field];
  const expected = condition.value;
  if (condition.op === 'isBlank') return blank(actual);
  if (condition.op === 'isNotBlank') return !blank(actual);
  if (condition.op === 'equals') return actual === expected || (blank(actual) && blank(expected));
  if (condition.op === 'notEquals') return !(actual === expected || (blank(actual) && blank(expected)));
  if (condition.op === 'contains') return typeof actual === 'string' && actual.includes(String(expected));
  // Comparisons with a blank value are false, as in a formula where blanks are treated as blanks.
  if (blank(actual) || blank(expected)) return false;
  const [a, b] = typeof actual === 'number' ? [actual, Number(expected)] : [String(actual), String(expected)];
  switch (condition.op) {
    case 'greaterThan': return a > b;
    case 'lessThan': return a < b;
    case 'greaterOrEqual': return a >= b;
    case 'lessOrEqual': return a <= b;
  }
}

/** Every active rule of the object whose condition holds for the row about to be saved. */
export function validationErrors(org: Org, objectName: string, row: Row): SaveError[] {
  const map = rulesByOrg.get(org);
  if (!map?.size) return [];
  const errors: SaveError[] = [];
  for (const rule of map.values()) {
    if (rule.object !== objectName || !rule.active || !holds(rule.condition, row)) continue;
    errors.push({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: rule.message, fields: rule.field ? [rule.field] : [] });
  }
  return errors;
}

// Custom field mappings: what a mapping is, the defaults shown beside custom ones, how a mapping is
// checked against the org's describe, and how values convert between the two sides. Pure.

export const MAPPING_OBJECTS = ['Contact', 'Account', 'Opportunity'] as const;
export type MappingObject = (typeof MAPPING_OBJECTS)[number];
export const DIRECTIONS = ['to_fastfollow', 'to_salesforce', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface FieldMapping {
  object: MappingObject;
  salesforceField: string;
  fastfollowField: string;
  direction: Direction;
}

/** The default mapping (standard fields; not changeable through custom mappings). */
export const DEFAULT_MAPPINGS: readonly FieldMapping[] = [
  { object: 'Contact', salesforceField: 'FirstName', fastfollowField: 'full_name', direction: 'to_fastfollow' },
  { object: 'Contact', salesforceField: 'LastName', fastfollowField: 'full_name', direction: 'to_fastfollow' },
  { object: 'Contact', salesforceField: 'Email', fastfollowField: 'email', direction: 'both' },
  { object: 'Contact', salesforceField: 'Phone', fastfollowField: 'phone', direction: 'both' },
  { object: 'Account', salesforceField: 'Name', fastfollowField: 'company_name', direction: 'to_fastfollow' },
  { object: 'Opportunity', salesforceField: 'Name', fastfollowField: 'title', direction: 'both' },
  { object: 'Opportunity', salesforceField: 'Amount', fastfollowField: 'value', direction: 'both' },
  { object: 'Opportunity', salesforceField: 'StageName', fastfollowField: 'stage', direction: 'both' },
  { object: 'Opportunity', salesforceField: 'CloseDate', fastfollowField: 'expected_close_date', direction: 'both' },
];

/** A field as the org's describe reports it to the connected user (hidden fields are absent). */
export interface DescribedField {
  name: string;
  type: string;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  calculated: boolean;
  length: number;
  picklistValues: string[];
}

/** FastFollow's side of a custom mapping: a key of the row's custom_fields. */
export const CUSTOM_FIELD = /^custom\.([a-z][a-z0-9_]{0,62})$/;
export const customKey = (fastfollowField: string): string | null => CUSTOM_FIELD.exec(fastfollowField)?.[1] ?? null;

/** Salesforce types a custom_fields value can hold (scalars). */
const SCALAR_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'double', 'currency', 'percent', 'int', 'long', 'boolean', 'date', 'datetime']);
const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);

export const writesToSalesforce = (direction: Direction): boolean => direction !== 'to_fastfollow';
export const readsFromSalesforce = (direction: Direction): boolean => direction !== 'to_salesforce';

/**
 * Why a custom mapping cannot be saved, or null when it can. `field` is the org's field of that name
 * (matched case-insensitively), absent when the org has none or the user cannot read it.
 */
export function mappingProblem(mapping: FieldMapping, field: DescribedField | undefined): string | null {
  if (mapping.object === 'Account') return 'custom mappings of Account fields are not supported (FastFollow keeps no account rows of its own); map Contact or Opportunity fields';
  if (!customKey(mapping.fastfollowField)) return `fastfollowField must be "custom.<key>" (key: lower-case letters, digits and _, starting with a letter); the standard columns are mapped by default`;
  if (!field) return `${mapping.object}.${mapping.salesforceField} does not exist in the org or is not readable by the connected Salesforce user (field-level security)`;
  if (DEFAULT_MAPPINGS.some((d) => d.object === mapping.object && d.salesforceField.toLowerCase() === field.name.toLowerCase())) return `${mapping.object}.${field.name} is already mapped by default`;
  if (!SCALAR_TYPES.has(field.type)) return `${mapping.object}.${field.name} has type ${field.type}, which FastFollow custom fields cannot hold (text, number, boolean, date, datetime and picklist fields can)`;
  if (writesToSalesforce(mapping.direction) && (!field.updateable || field.calculated)) {
    return `${mapping.object}.${field.name} is not editable by the connected Salesforce user (field-level security or a read-only field), so FastFollow cannot write it; use direction "to_fastfollow" or make the field editable`;
  }
  return null;
}

/** A Salesforce value as stored in custom_fields (JSON): numbers and booleans typed, empty is null. */
export function toFastFollowValue(type: string, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (NUMBER_TYPES.has(type)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  if (type === 'boolean') return value === true || value === 'true';
  return String(value);
}

/** A custom_fields value (as text, the outbox's form) as Salesforce takes it for a field of `type`. */
export function toSalesforceCustomValue(type: string, text: string | null): string | number | boolean | null {
  if (text === null || text.trim() === '') return null;
  if (NUMBER_TYPES.has(type)) return Number(text);
  if (type === 'boolean') return text.trim() === 'true';
  return text;
}

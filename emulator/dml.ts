// The write path: validating field values the way Salesforce does (unknown fields, createable /
// updateable flags, field-level security, required fields, types, references) and turning valid
// input into stored rows with system fields.
import { to18 } from './ids.js';
import { OPPORTUNITY_STAGES, type FieldDef, type ObjectDef } from './schema.js';
import { fieldAccess, objectPermission, type Org, type Row, type UserAccount } from './store.js';
import { duplicateValue } from './unique-fields.js';
import { validationErrors } from './validation-rules.js';

export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** Who performs a save. Without a user (the control API) no permission checks apply. */
export interface Actor {
  userId: string;
  user?: UserAccount;
  /** Control-API writes may set system fields (e.g. a historical CreatedDate). */
  allowSystemFields?: boolean;
}

export type Validated = { ok: true; values: Row } | { ok: false; errors: SaveError[] };

const err = (statusCode: string, message: string, fields: string[] = []): SaveError => ({ statusCode, message, fields });

const SYSTEM_FIELDS = new Set(['CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isValidDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

function jsonParserError(f: FieldDef, value: unknown, kind: string): SaveError {
  return err('JSON_PARSER_ERROR', `Cannot deserialize instance of ${kind} from VALUE_STRING value ${String(value)} or request may be missing a required field`, [f.name]);
}

/** Converts one input value to its stored form, or explains why it is not acceptable. */
export function normaliseValue(org: Org, actor: Actor, obj: ObjectDef, f: FieldDef, value: unknown): { value: unknown } | SaveError {
  if (value === null || value === undefined || value === '') {
    if (f.type === 'boolean') return value === '' ? jsonParserError(f, value, 'boolean') : { value: false };
    return { value: null };
  }
  switch (f.type) {
    case 'string': case 'textarea': case 'phone': case 'url': case 'picklist': case 'email': {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return jsonParserError(f, value, 'string');
      const s = String(value);
      if (f.length && s.length > f.length) {
        return err('STRING_TOO_LONG', `${f.label}: data value too large: ${s.slice(0, 40)} (max length=${f.length})`, [f.name]);
      }
      if (f.type === 'email' && !EMAIL.test(s)) return err('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [f.name]);
      if (f.restrictedPicklist && !f.picklistValues.includes(s)) {
        return err('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${f.label}: bad value for restricted picklist field: ${s}`, [f.name]);
      }
      return { value: s };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return jsonParserError(f, value, 'boolean');
    case 'int': case 'double': case 'currency': case 'percent': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) return jsonParserError(f, value, f.type === 'int' ? 'int' : 'double');
      if (f.type === 'int' && !Number.isInteger(n)) return jsonParserError(f, value, 'int');
      return { value: n };
    }
    case 'date':
      if (typeof value !== 'string' || !isValidDate(value)) return jsonParserError(f, value, 'date');
      return { value };
    case 'datetime': {
      const ms = typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : NaN;
      if (Number.isNaN(ms)) return jsonParserError(f, value, 'datetime');
      return { value: new Date(ms).toISOString() };
    }
    case 'reference': {
      const id = typeof value === 'string' ? to18(value) : undefined;
      if (!id) return err('MALFORMED_ID', `${f.label}: id value of incorrect type: ${String(value)}`, [f.name]);
      const target = org.findById(id);
      const prefixOk = f.referenceTo.some((t) => org.object(t)?.keyPrefix === id.slice(0, 3));
      if (!prefixOk) {
        return err('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${id}`, [f.name]);
      }
      // As Salesforce: an Id that names no record, a record in the recycle bin, and a parent the user may not read.
      if (!target) return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [f.name]);
      if (target.row.IsDeleted === true) return err('ENTITY_IS_DELETED', 'entity is deleted', [f.name]);
      if (actor.user && !objectPermission(actor.user, target.objectName).read) {
        return err('INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', 'insufficient access rights on cross-reference id', [f.name]);
      }
      return { value: id };
    }
    case 'id':
      return { value };
  }
}

const fieldIndexes = new WeakMap<ObjectDef, Map<string, FieldDef>>();

/** Case-insensitive field lookup, built once per object definition (writes are hot in bulk loads). */
function fieldByName(obj: ObjectDef, name: string): FieldDef | undefined {
  let index = fieldIndexes.get(obj);
  if (!index) fieldIndexes.set(obj, (index = new Map(obj.fields.map((f) => [f.name.toLowerCase(), f]))));
  return index.get(name) ?? index.get(name.toLowerCase());
}

/** Validates the fields of one insert or update (not the row as a whole). */
export function validateFields(org: Org, actor: Actor, obj: ObjectDef, input: Row, mode: 'create' | 'update'): Validated {
  const values: Row = {};
  const errors: SaveError[] = [];
  const notWritable: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes') continue;
    if (key.toLowerCase() === 'id') {
      if (mode === 'create') errors.push(err('INVALID_FIELD', 'The Id field should not be specified in the sobject data.'));
      continue;
    }
    const f = fieldByName(obj, key);
    const access = f && actor.user ? fieldAccess(actor.user, obj.name, f.name) : 'edit';
    if (!f) {
      errors.push(err('INVALID_FIELD', `No such column '${key}' on sobject of type ${obj.name}`, [key]));
      continue;
    }
    const systemOverride = actor.allowSystemFields && (SYSTEM_FIELDS.has(f.name) || f.calculated || f.name === 'Name' || f.name === 'IsDeleted');
    const writable = mode === 'create' ? f.createable : f.updateable;
    if (!systemOverride && (!writable || access !== 'edit')) {
      notWritable.push(f.name);
      continue;
    }
    const normalised = normaliseValue(org, actor, obj, f, raw);
    if ('statusCode' in normalised) errors.push(normalised);
    else values[f.name] = normalised.value;
  }
  if (notWritable.length) {
    errors.unshift(err('INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      notWritable));
  }
  return errors.length ? { ok: false, errors } : { ok: true, values };
}

/** Fields Salesforce derives from others (Name, IsClosed…) and defaults applied on create. */
function derive(objectName: string, row: Row, changed: Row, creating: boolean): void {
  switch (objectName) {
    case 'Contact': case 'User':
      row.Name = [row.FirstName, row.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
      break;
    case 'Opportunity': {
      const stage = OPPORTUNITY_STAGES.find((s) => s.stage === row.StageName);
      row.IsClosed = stage?.closed ?? false;
      row.IsWon = stage?.won ?? false;
      if ('StageName' in changed || creating) {
        if (!('Probability' in changed) && stage) row.Probability = stage.probability;
        if (!('ForecastCategoryName' in changed)) row.ForecastCategoryName = stage?.forecast ?? 'Pipeline';
      }
      break;
    }
    case 'Task':
      if (creating) {
        row.Status ??= 'Not Started';
        row.Priority ??= 'Normal';
        row.TaskSubtype ??= 'Task';
      }
      row.IsClosed = row.Status === 'Completed';
      break;
  }
}

const requiredFields = new WeakMap<ObjectDef, FieldDef[]>();

function requiredMissing(obj: ObjectDef, row: Row): SaveError | undefined {
  let required = requiredFields.get(obj);
  if (!required) requiredFields.set(obj, (required = obj.fields.filter((f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean')));
  const missing = required.filter((f) => row[f.name] === null || row[f.name] === undefined).map((f) => f.name);
  return missing.length ? err('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing) : undefined;
}

export function checkObjectAccess(actor: Actor, obj: ObjectDef, op: 'create' | 'edit' | 'delete'): SaveError | undefined {
  if (!actor.user) return undefined;
  const p = objectPermission(actor.user, obj.name);
  const allowedByObject = op === 'create' ? obj.createable : op === 'edit' ? obj.updateable : obj.deletable;
  if (!p[op] || !allowedByObject) {
    return err('INSUFFICIENT_ACCESS_OR_READONLY',
      op === 'create' ? `You do not have permission to create a ${obj.name}.` : 'insufficient access rights on object id');
  }
  return undefined;
}

/** Builds the row a create would store (without storing it). */
export function buildInsert(org: Org, actor: Actor, obj: ObjectDef, input: Row, newId: () => string): { ok: true; row: Row } | { ok: false; errors: SaveError[] } {
  const denied = checkObjectAccess(actor, obj, 'create');
  if (denied) return { ok: false, errors: [denied] };
  const v = validateFields(org, actor, obj, input, 'create');
  if (!v.ok) return v;
  const row: Row = {};
  for (const f of obj.fields) row[f.name] = f.type === 'boolean' ? false : null;
  Object.assign(row, v.values);
  derive(obj.name, row, v.values, true);
  const missing = requiredMissing(obj, row);
  if (missing) return { ok: false, errors: [missing] };
  const invalid = validationErrors(org, obj.name, row);
  if (invalid.length) return { ok: false, errors: invalid };
  const duplicate = duplicateValue(org, obj, row);
  if (duplicate) return { ok: false, errors: [duplicate] };
  row.Id = newId();
  row.IsDeleted = false;
  if ('OwnerId' in row && row.OwnerId === null) row.OwnerId = actor.userId;
  return { ok: true, row };
}

export function buildUpdate(org: Org, actor: Actor, obj: ObjectDef, id: string, input: Row): { ok: true; row: Row; id: string } | { ok: false; errors: SaveError[] } {
  const id18 = to18(id);
  const current = id18 ? org.table(obj.name).rows.get(id18) : undefined;
  if (!id18 || !current || current.IsDeleted === true) {
    return { ok: false, errors: [current?.IsDeleted ? err('ENTITY_IS_DELETED', 'entity is deleted') : err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')] };
  }
  const denied = checkObjectAccess(actor, obj, 'edit');
  if (denied) return { ok: false, errors: [denied] };
  const v = validateFields(org, actor, obj, input, 'update');
  if (!v.ok) return v;
  const row: Row = { ...current, ...v.values };
  derive(obj.name, row, v.values, false);
  const missing = requiredMissing(obj, row);
  if (missing) return { ok: false, errors: [missing] };
  const invalid = validationErrors(org, obj.name, row);
  if (invalid.length) return { ok: false, errors: invalid };
  const duplicate = duplicateValue(org, obj, row);
  if (duplicate) return { ok: false, errors: [duplicate] };
  return { ok: true, row, id: id18 };
}

/** Stamps system fields onto a row about to be saved. */
export function stamp(row: Row, stampIso: string, userId: string, creating: boolean, actor: Actor): Row {
  const explicit = actor.allowSystemFields;
  if (creating) {
    if (!(explicit && row.CreatedDate)) row.CreatedDate = stampIso;
    if (!(explicit && row.CreatedById)) row.CreatedById = userId;
  }
  if (!(explicit && row.LastModifiedDate && creating)) row.LastModifiedDate = stampIso;
  if (!(explicit && row.SystemModstamp && creating)) row.SystemModstamp = stampIso;
  row.LastModifiedById = userId;
  return row;
}

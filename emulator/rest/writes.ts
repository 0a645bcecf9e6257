// Create, update and delete of many records in one save (one timestamp), with Salesforce's
// allOrNone semantics. Used by sObject rows, sObject Collections and composite subrequests.
import { buildInsert, buildUpdate, checkObjectAccess, stamp, type Actor, type SaveError } from '../dml.js';
import { to18 } from '../ids.js';
import { objectByKeyPrefix } from '../schema.js';
import type { EmulatorState, Org, Row } from '../store.js';
import { visibleObject } from '../view.js';

export interface SaveResult {
  id?: string;
  success: boolean;
  errors: SaveError[];
}

const ROLLED_BACK: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

const invalidType = (type: string): SaveError => ({
  statusCode: 'INVALID_TYPE',
  message: `sObject type '${type}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  fields: [],
});

/**
 * The full object definition when the actor may see the object at all. Field-level security is
 * checked per field by the validation, so a hidden field answers INVALID_FIELD_FOR_INSERT_UPDATE
 * (as Salesforce does) rather than "no such column".
 */
function writableObject(org: Org, actor: Actor, type: string) {
  return visibleObject(org, actor.user, type) ? org.object(type) : undefined;
}

// Internal marker so rolled-back updates and deletes keep their id in the response (creates lose theirs).
type Internal = SaveResult & { __update?: boolean };

function finish(org: Org, allOrNone: boolean, run: () => Internal[]): SaveResult[] {
  const results = org.transaction(run, (r) => !(allOrNone && r.some((x) => !x.success)));
  const rolledBack = allOrNone && results.some((r) => !r.success);
  return results.map(({ __update, ...r }) =>
    rolledBack && r.success ? { ...(__update ? { id: r.id } : {}), success: false, errors: [ROLLED_BACK] } : r,
  );
}

export function createRecords(state: EmulatorState, org: Org, actor: Actor, items: { type: string; input: Row }[], allOrNone: boolean, strictlyLaterStamp = false): SaveResult[] {
  return finish(org, allOrNone, () => {
    const stampIso = org.nextStamp(strictlyLaterStamp);
    return items.map(({ type, input }): Internal => {
      const obj = writableObject(org, actor, type);
      if (!obj) return { success: false, errors: [invalidType(type)] };
      const built = buildInsert(org, actor, obj, input, () => state.ids.next(obj.keyPrefix));
      if (!built.ok) return { success: false, errors: built.errors };
      org.put(obj.name, stamp(built.row, stampIso, actor.userId, true, actor));
      if (actor.allowSystemFields) org.noteStamp(built.row.SystemModstamp as string);
      return { id: built.row.Id as string, success: true, errors: [] };
    });
  });
}

export function updateRecords(state: EmulatorState, org: Org, actor: Actor, items: { type: string; id: string; input: Row }[], allOrNone: boolean, stampEach = false): SaveResult[] {
  return finish(org, allOrNone, () => {
    const shared = stampEach ? undefined : org.nextStamp();
    return items.map(({ type, id, input }): Internal => {
      const obj = writableObject(org, actor, type);
      if (!obj) return { id, success: false, errors: [invalidType(type)], __update: true };
      const built = buildUpdate(org, actor, obj, id, input);
      if (!built.ok) return { id, success: false, errors: built.errors, __update: true };
      org.put(obj.name, stamp(built.row, shared ?? org.nextStamp(true), actor.userId, false, actor));
      return { id: built.id, success: true, errors: [], __update: true };
    });
  });
}

/** Children deleted with their parent (Salesforce cascade delete). */
const CASCADES: { parent: string; child: string; field: string }[] = [
  { parent: 'Account', child: 'Contact', field: 'AccountId' },
  { parent: 'Account', child: 'Opportunity', field: 'AccountId' },
  { parent: 'Contact', child: 'OpportunityContactRole', field: 'ContactId' },
  { parent: 'Opportunity', child: 'OpportunityContactRole', field: 'OpportunityId' },
  { parent: 'Contact', child: 'Task', field: 'WhoId' },
  { parent: 'Opportunity', child: 'Task', field: 'WhatId' },
  { parent: 'Account', child: 'Task', field: 'WhatId' },
];

function softDelete(org: Org, objectName: string, row: Row, stampIso: string, userId: string): void {
  org.put(objectName, { ...row, IsDeleted: true, LastModifiedDate: stampIso, SystemModstamp: stampIso, LastModifiedById: userId }, stampIso);
}

function cascade(org: Org, deleted: Map<string, Set<string>>, stampIso: string, userId: string): void {
  let frontier = deleted;
  while (frontier.size) {
    const next = new Map<string, Set<string>>();
    for (const { parent, child, field } of CASCADES) {
      const parents = frontier.get(parent);
      if (!parents?.size) continue;
      for (const row of org.table(child).rows.values()) {
        if (row.IsDeleted !== true && parents.has(row[field] as string)) {
          softDelete(org, child, row, stampIso, userId);
          if (!next.has(child)) next.set(child, new Set());
          next.get(child)!.add(row.Id as string);
        }
      }
    }
    frontier = next;
  }
}

export function deleteRecords(org: Org, actor: Actor, ids: string[], allOrNone: boolean): SaveResult[] {
  return finish(org, allOrNone, () => {
    const stampIso = org.nextStamp();
    const deleted = new Map<string, Set<string>>();
    const results = ids.map((rawId): Internal => {
      const id = to18(rawId);
      const objectName = id ? objectByKeyPrefix(id) : undefined;
      if (!id || !objectName) return { id: rawId, success: false, errors: [{ statusCode: 'MALFORMED_ID', message: `malformed id ${rawId}`, fields: [] }], __update: true };
      const obj = visibleObject(org, actor.user, objectName);
      const row = org.table(objectName).rows.get(id);
      if (!obj || !row) return { id, success: false, errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] }], __update: true };
      if (row.IsDeleted === true) return { id, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }], __update: true };
      const denied = checkObjectAccess(actor, obj, 'delete');
      if (denied) return { id, success: false, errors: [denied], __update: true };
      softDelete(org, objectName, row, stampIso, actor.userId);
      if (!deleted.has(objectName)) deleted.set(objectName, new Set());
      deleted.get(objectName)!.add(id);
      return { id, success: true, errors: [], __update: true };
    });
    cascade(org, deleted, stampIso, actor.userId);
    return results;
  });
}

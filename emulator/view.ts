// What one user can see of an org: objects they may read, fields field-level security shows, and
// describe flags narrowed by their permissions. The SOQL engine and describe both use this view,
// so an object without read access is "not supported" everywhere, as in Salesforce.
import type { SoqlDataSource, SoqlRow, SoqlSchema } from './soql/index.js';
import { STANDARD_OBJECT_NAMES, toSoqlField, type ObjectDef } from './schema.js';
import { fieldAccess, objectPermission, type Org, type UserAccount } from './store.js';

export function visibleObject(org: Org, user: UserAccount | undefined, name: string): ObjectDef | undefined {
  const obj = org.object(name);
  if (!obj) return undefined;
  if (!user) return obj;
  const perm = objectPermission(user, obj.name);
  if (!perm.read) return undefined;
  const fields = [];
  for (const f of obj.fields) {
    const access = fieldAccess(user, obj.name, f.name);
    if (access === 'hidden') continue;
    fields.push(access === 'read' ? { ...f, createable: false, updateable: false } : {
      ...f,
      createable: f.createable && perm.create,
      updateable: f.updateable && perm.edit,
    });
  }
  return {
    ...obj,
    createable: obj.createable && perm.create,
    updateable: obj.updateable && perm.edit,
    deletable: obj.deletable && perm.delete,
    fields,
  };
}

export function visibleObjects(org: Org, user: UserAccount | undefined): ObjectDef[] {
  return STANDARD_OBJECT_NAMES.map((n) => visibleObject(org, user, n)).filter((o): o is ObjectDef => !!o);
}

export function soqlSchema(org: Org, user: UserAccount | undefined): SoqlSchema {
  const cache = new Map<string, ReturnType<SoqlSchema['getObject']>>();
  return {
    getObject(name) {
      const key = name.toLowerCase();
      if (!cache.has(key)) {
        const obj = visibleObject(org, user, name);
        cache.set(key, obj ? { name: obj.name, fields: obj.fields.map(toSoqlField) } : undefined);
      }
      return cache.get(key);
    },
  };
}

export function dataSource(org: Org): SoqlDataSource {
  return {
    rows: (objectName) => (org.tables.get(objectName)?.rows.values() ?? []) as Iterable<SoqlRow>,
    byId: (id) => org.findById(id) as { objectName: string; row: SoqlRow } | undefined,
  };
}

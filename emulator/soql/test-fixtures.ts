// Shared fixtures for the SOQL engine tests (not used at runtime).

import type { SoqlDataSource, SoqlField, SoqlObject, SoqlRow, SoqlSchema } from './types.js';

const system: SoqlField[] = [
  { name: 'Id', type: 'id' },
  { name: 'IsDeleted', type: 'boolean' },
  { name: 'CreatedDate', type: 'datetime' },
  { name: 'LastModifiedDate', type: 'datetime' },
  { name: 'SystemModstamp', type: 'datetime' },
];

export const objects: SoqlObject[] = [
  {
    name: 'User',
    fields: [...system, { name: 'Name', type: 'string' }, { name: 'Email', type: 'email' }],
  },
  {
    name: 'Account',
    fields: [
      ...system,
      { name: 'Name', type: 'string' },
      { name: 'Industry', type: 'picklist' },
      { name: 'AnnualRevenue', type: 'currency' },
      { name: 'NumberOfEmployees', type: 'int' },
      { name: 'OwnerId', type: 'reference', relationshipName: 'Owner', referenceTo: ['User'] },
    ],
  },
  {
    name: 'Contact',
    fields: [
      ...system,
      { name: 'FirstName', type: 'string' },
      { name: 'LastName', type: 'string' },
      { name: 'Name', type: 'string' },
      { name: 'Email', type: 'email' },
      { name: 'Phone', type: 'phone' },
      { name: 'Birthdate', type: 'date' },
      { name: 'HasOptedOutOfEmail', type: 'boolean' },
      { name: 'Description', type: 'textarea', longText: true },
      { name: 'AccountId', type: 'reference', relationshipName: 'Account', referenceTo: ['Account'] },
      { name: 'Score__c', type: 'double' },
    ],
  },
  {
    name: 'Opportunity',
    fields: [
      ...system,
      { name: 'Name', type: 'string' },
      { name: 'StageName', type: 'picklist' },
      { name: 'CloseDate', type: 'date' },
      { name: 'Amount', type: 'currency' },
      { name: 'Probability', type: 'percent' },
      { name: 'AccountId', type: 'reference', relationshipName: 'Account', referenceTo: ['Account'] },
    ],
  },
  {
    name: 'Task',
    fields: [
      ...system,
      { name: 'Subject', type: 'string' },
      { name: 'WhoId', type: 'reference', relationshipName: 'Who', referenceTo: ['Contact', 'Lead'] },
      { name: 'WhatId', type: 'reference', relationshipName: 'What', referenceTo: ['Account', 'Opportunity'] },
    ],
  },
  {
    // Exists in the org but is hidden from the user in some tests.
    name: 'Secret__c',
    fields: [...system, { name: 'Name', type: 'string' }],
  },
];

export function makeSchema(hidden: string[] = []): SoqlSchema {
  const byName = new Map(objects.map((o) => [o.name.toLowerCase(), o]));
  const hide = new Set(hidden.map((h) => h.toLowerCase()));
  return {
    getObject(name) {
      const key = name.toLowerCase();
      return hide.has(key) ? undefined : byName.get(key);
    },
  };
}

/** A tiny in-memory store keyed by object. */
export class MemorySource implements SoqlDataSource {
  readonly tables = new Map<string, SoqlRow[]>();
  private readonly index = new Map<string, { objectName: string; row: SoqlRow }>();
  byIdCalls = 0;

  add(objectName: string, ...rows: Array<Partial<SoqlRow> & { Id: string }>): this {
    let table = this.tables.get(objectName);
    if (!table) this.tables.set(objectName, (table = []));
    for (const r of rows) {
      const row: SoqlRow = { IsDeleted: false, ...r };
      table.push(row);
      this.index.set(r.Id, { objectName, row });
    }
    return this;
  }

  rows(objectName: string): Iterable<SoqlRow> {
    return this.tables.get(objectName) ?? [];
  }

  byId(id: string) {
    this.byIdCalls++;
    return this.index.get(id);
  }
}

/** The 18-character form of a 15-character Id (suffix encodes which characters are upper case). */
export function id18(id15: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let j = 0; j < 5; j++) {
      const ch = id15[chunk * 5 + j]!;
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << j;
    }
    suffix += alphabet[bits];
  }
  return id15 + suffix;
}

/** A valid-looking 18-character Id: prefix + zero-padded counter + checksum suffix. */
export function fakeId(prefix: string, n: number): string {
  return id18(`${prefix}${String(n).padStart(15 - prefix.length, '0')}`);
}

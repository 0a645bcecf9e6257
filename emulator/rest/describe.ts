// describeGlobal, sObject basic information and describe, shaped like Salesforce's responses
// (the subset of properties clients read), narrowed to what the caller may see.
import type { FieldDef, ObjectDef } from '../schema.js';
import { isLongText, STANDARD_OBJECTS } from '../schema.js';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID', reference: 'tns:ID', string: 'xsd:string', textarea: 'xsd:string', email: 'xsd:string', phone: 'xsd:string',
  url: 'xsd:string', picklist: 'xsd:string', boolean: 'xsd:boolean', int: 'xsd:int', double: 'xsd:double',
  currency: 'xsd:double', percent: 'xsd:double', date: 'xsd:date', datetime: 'xsd:dateTime',
};

function urls(apiVersion: string, name: string) {
  const base = `/services/data/v${apiVersion}/sobjects/${name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

export function globalEntry(obj: ObjectDef, apiVersion: string) {
  return {
    activateable: false,
    createable: obj.createable,
    custom: false,
    customSetting: false,
    deletable: obj.deletable,
    deprecatedAndHidden: false,
    feedEnabled: true,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: obj.keyPrefix,
    label: obj.label,
    labelPlural: obj.labelPlural,
    layoutable: true,
    mergeable: obj.name === 'Account' || obj.name === 'Contact',
    mruEnabled: true,
    name: obj.name,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: obj.name !== 'OpportunityContactRole',
    triggerable: true,
    undeletable: obj.deletable,
    updateable: obj.updateable,
    urls: urls(apiVersion, obj.name),
  };
}

function describeField(f: FieldDef) {
  const textual = ['string', 'textarea', 'email', 'phone', 'url', 'picklist'].includes(f.type);
  return {
    aggregatable: f.type !== 'textarea',
    autoNumber: false,
    byteLength: textual ? f.length * 3 : f.type === 'id' || f.type === 'reference' ? 18 : 0,
    calculated: f.calculated,
    calculatedFormula: null,
    caseSensitive: f.caseSensitive,
    createable: f.createable,
    custom: f.custom,
    defaultValue: f.type === 'boolean' ? false : null,
    defaultedOnCreate: f.defaultedOnCreate,
    dependentPicklist: false,
    digits: f.type === 'int' ? 9 : 0,
    externalId: f.externalId,
    filterable: !isLongText(f),
    groupable: !['textarea', 'double', 'currency', 'percent', 'datetime'].includes(f.type),
    htmlFormatted: false,
    idLookup: f.name === 'Id' || f.name === 'Email' || f.name === 'Username' || f.externalId || f.unique,
    label: f.label,
    length: textual || f.type === 'id' || f.type === 'reference' ? f.length : 0,
    name: f.name,
    nameField: f.name === 'Name',
    nillable: f.nillable,
    permissionable: f.nillable && !f.calculated && f.createable,
    picklistValues: f.picklistValues.map((value, i) => ({ active: true, defaultValue: i === 0 && f.defaultedOnCreate, label: value, validFor: null, value })),
    polymorphicForeignKey: f.referenceTo.length > 1,
    precision: f.precision,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    restrictedPicklist: f.restrictedPicklist,
    scale: f.scale,
    soapType: SOAP_TYPES[f.type],
    sortable: !isLongText(f),
    type: f.type,
    unique: f.name === 'Username' || f.unique,
    updateable: f.updateable,
  };
}

export function describeObject(obj: ObjectDef, apiVersion: string) {
  // Child relationships: every standard field that points at this object.
  const childRelationships = STANDARD_OBJECTS.flatMap((child) =>
    child.fields
      .filter((f) => f.referenceTo.includes(obj.name) && f.relationshipName && !['CreatedById', 'LastModifiedById', 'OwnerId'].includes(f.name))
      .map((f) => ({
        cascadeDelete: ['AccountId', 'ContactId', 'OpportunityId'].includes(f.name),
        childSObject: child.name,
        deprecatedAndHidden: false,
        field: f.name,
        relationshipName: child.name === 'OpportunityContactRole' ? 'OpportunityContactRoles' : child.name === 'Task' ? 'Tasks' : child.labelPlural.replace(/\s/g, ''),
        restrictedDelete: false,
      })),
  );
  return {
    ...globalEntry(obj, apiVersion),
    childRelationships,
    fields: obj.fields.map(describeField),
    recordTypeInfos: [],
    supportedScopes: [{ label: 'All records', name: 'everything' }, { label: 'My records', name: 'mine' }],
    urls: { ...urls(apiVersion, obj.name), compactLayouts: `/services/data/v${apiVersion}/sobjects/${obj.name}/describe/compactLayouts` },
  };
}

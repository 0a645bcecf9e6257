// Object and field definitions of the emulated org: the standard objects the sync touches, with
// the describe flags Salesforce reports, plus per-org custom fields.
import type { SoqlField, SoqlFieldType } from './soql/index.js';
import { KEY_PREFIXES } from './ids.js';

export type FieldType = SoqlFieldType;

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  defaultedOnCreate: boolean;
  custom: boolean;
  calculated: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  picklistValues: string[];
  /** Only the listed values may be saved (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST otherwise). */
  restrictedPicklist: boolean;
  /** External ID (custom fields): indexed, usable to find a record; unique when `unique`. */
  externalId: boolean;
  /** No two live records may hold the same value (DUPLICATE_VALUE); compared case-insensitively unless caseSensitive. */
  unique: boolean;
  caseSensitive: boolean;
  precision: number;
  scale: number;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: FieldDef[];
}

type FieldSpec = Partial<FieldDef> & { name: string; type: FieldType };

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18, reference: 18, string: 255, textarea: 32000, email: 80, phone: 40, url: 255, picklist: 255,
};

export function field(spec: FieldSpec): FieldDef {
  const readOnly = spec.type === 'id' || spec.calculated === true;
  return {
    label: spec.label ?? spec.name.replace(/__c$/, '').replace(/Id$/, ' ID').replace(/([a-z])([A-Z])/g, '$1 $2'),
    length: DEFAULT_LENGTH[spec.type] ?? 0,
    createable: !readOnly,
    updateable: !readOnly,
    nillable: spec.type !== 'boolean' && spec.type !== 'id',
    defaultedOnCreate: spec.type === 'boolean',
    custom: spec.name.endsWith('__c'),
    calculated: false,
    referenceTo: [],
    relationshipName: null,
    picklistValues: [],
    restrictedPicklist: false,
    externalId: false,
    unique: false,
    caseSensitive: false,
    precision: spec.type === 'currency' ? 18 : spec.type === 'percent' || spec.type === 'double' ? 18 : 0,
    scale: spec.type === 'currency' || spec.type === 'percent' ? 2 : 0,
    ...spec,
  };
}

const ref = (name: string, to: string[], relationshipName: string, extra: Partial<FieldSpec> = {}): FieldDef =>
  field({ name, type: 'reference', referenceTo: to, relationshipName, ...extra });

const readOnly = { createable: false, updateable: false } as const;

function systemFields(withOwner: boolean): FieldDef[] {
  const fields = [
    field({ name: 'Id', type: 'id', label: 'Record ID', nillable: false, defaultedOnCreate: true }),
    field({ name: 'IsDeleted', type: 'boolean', label: 'Deleted', ...readOnly }),
    field({ name: 'CreatedDate', type: 'datetime', ...readOnly, nillable: false, defaultedOnCreate: true }),
    ref('CreatedById', ['User'], 'CreatedBy', { ...readOnly, nillable: false, defaultedOnCreate: true }),
    field({ name: 'LastModifiedDate', type: 'datetime', ...readOnly, nillable: false, defaultedOnCreate: true }),
    ref('LastModifiedById', ['User'], 'LastModifiedBy', { ...readOnly, nillable: false, defaultedOnCreate: true }),
    field({ name: 'SystemModstamp', type: 'datetime', label: 'System Modstamp', ...readOnly, nillable: false, defaultedOnCreate: true }),
  ];
  if (withOwner) fields.push(ref('OwnerId', ['User'], 'Owner', { nillable: false, defaultedOnCreate: true }));
  return fields;
}

export const OPPORTUNITY_STAGES: { stage: string; probability: number; closed: boolean; won: boolean; forecast: string }[] = [
  { stage: 'Prospecting', probability: 10, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Qualification', probability: 10, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Needs Analysis', probability: 20, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Value Proposition', probability: 50, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Id. Decision Makers', probability: 60, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Perception Analysis', probability: 70, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Proposal/Price Quote', probability: 75, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Negotiation/Review', probability: 90, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Closed Won', probability: 100, closed: true, won: true, forecast: 'Closed' },
  { stage: 'Closed Lost', probability: 0, closed: true, won: false, forecast: 'Omitted' },
];

const obj = (name: string, labelPlural: string, fields: FieldDef[], flags: Partial<ObjectDef> = {}): ObjectDef => ({
  name,
  label: name.replace(/([a-z])([A-Z])/g, '$1 $2'),
  labelPlural,
  keyPrefix: KEY_PREFIXES[name as keyof typeof KEY_PREFIXES],
  createable: true,
  updateable: true,
  deletable: true,
  fields,
  ...flags,
});

export const STANDARD_OBJECTS: readonly ObjectDef[] = [
  obj('Account', 'Accounts', [
    ...systemFields(true),
    field({ name: 'Name', type: 'string', label: 'Account Name', nillable: false }),
    field({ name: 'Type', type: 'picklist', label: 'Account Type', picklistValues: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner', 'Technology Partner', 'Other'] }),
    field({ name: 'Industry', type: 'picklist', picklistValues: ['Agriculture', 'Banking', 'Biotechnology', 'Communications', 'Consulting', 'Education', 'Electronics', 'Energy', 'Engineering', 'Finance', 'Healthcare', 'Hospitality', 'Insurance', 'Manufacturing', 'Media', 'Retail', 'Technology', 'Transportation', 'Other'] }),
    field({ name: 'Phone', type: 'phone', label: 'Account Phone' }),
    field({ name: 'Website', type: 'url' }),
    field({ name: 'BillingStreet', type: 'textarea', length: 255 }),
    field({ name: 'BillingCity', type: 'string', length: 40 }),
    field({ name: 'BillingState', type: 'string', length: 80 }),
    field({ name: 'BillingPostalCode', type: 'string', length: 20 }),
    field({ name: 'BillingCountry', type: 'string', length: 80 }),
    field({ name: 'AnnualRevenue', type: 'currency' }),
    field({ name: 'NumberOfEmployees', type: 'int', label: 'Employees' }),
    field({ name: 'Description', type: 'textarea' }),
    ref('ParentId', ['Account'], 'Parent'),
  ]),
  obj('Contact', 'Contacts', [
    ...systemFields(true),
    ref('AccountId', ['Account'], 'Account'),
    field({ name: 'Salutation', type: 'picklist', length: 40, picklistValues: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] }),
    field({ name: 'FirstName', type: 'string', length: 40 }),
    field({ name: 'LastName', type: 'string', length: 80, nillable: false }),
    field({ name: 'Name', type: 'string', length: 121, label: 'Full Name', ...readOnly, nillable: false }),
    field({ name: 'Title', type: 'string', length: 128 }),
    field({ name: 'Department', type: 'string', length: 80 }),
    field({ name: 'Email', type: 'email' }),
    field({ name: 'Phone', type: 'phone', label: 'Business Phone' }),
    field({ name: 'MobilePhone', type: 'phone' }),
    field({ name: 'MailingCity', type: 'string', length: 40 }),
    field({ name: 'MailingState', type: 'string', length: 80 }),
    field({ name: 'MailingCountry', type: 'string', length: 80 }),
    field({ name: 'LeadSource', type: 'picklist', picklistValues: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] }),
    field({ name: 'Birthdate', type: 'date' }),
    field({ name: 'HasOptedOutOfEmail', type: 'boolean', label: 'Email Opt Out' }),
    field({ name: 'Description', type: 'textarea' }),
  ]),
  obj('Opportunity', 'Opportunities', [
    ...systemFields(true),
    ref('AccountId', ['Account'], 'Account'),
    field({ name: 'Name', type: 'string', length: 120, nillable: false }),
    field({ name: 'Description', type: 'textarea' }),
    field({ name: 'StageName', type: 'picklist', label: 'Stage', length: 255, nillable: false, restrictedPicklist: true, picklistValues: OPPORTUNITY_STAGES.map((s) => s.stage) }),
    field({ name: 'Amount', type: 'currency' }),
    field({ name: 'Probability', type: 'percent', label: 'Probability (%)', defaultedOnCreate: true }),
    field({ name: 'CloseDate', type: 'date', nillable: false }),
    field({ name: 'Type', type: 'picklist', label: 'Opportunity Type', picklistValues: ['Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'New Customer'] }),
    field({ name: 'NextStep', type: 'string', length: 255 }),
    field({ name: 'LeadSource', type: 'picklist', picklistValues: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] }),
    field({ name: 'IsClosed', type: 'boolean', label: 'Closed', ...readOnly }),
    field({ name: 'IsWon', type: 'boolean', label: 'Won', ...readOnly }),
    field({ name: 'ForecastCategoryName', type: 'picklist', label: 'Forecast Category', defaultedOnCreate: true, picklistValues: ['Omitted', 'Pipeline', 'Best Case', 'Most Likely', 'Forecast', 'Closed'] }),
  ]),
  obj('OpportunityContactRole', 'Opportunity Contact Role', [
    ...systemFields(false),
    ref('OpportunityId', ['Opportunity'], 'Opportunity', { nillable: false, updateable: false }),
    ref('ContactId', ['Contact'], 'Contact', { nillable: false }),
    field({ name: 'Role', type: 'picklist', picklistValues: ['Business User', 'Decision Maker', 'Economic Buyer', 'Economic Decision Maker', 'Evaluator', 'Executive Sponsor', 'Influencer', 'Technical Buyer', 'Other'] }),
    field({ name: 'IsPrimary', type: 'boolean', label: 'Primary' }),
  ]),
  obj('Task', 'Tasks', [
    ...systemFields(true),
    ref('WhoId', ['Contact'], 'Who', { label: 'Name ID' }),
    ref('WhatId', ['Account', 'Opportunity'], 'What', { label: 'Related To ID' }),
    field({ name: 'Subject', type: 'string', length: 255 }),
    field({ name: 'ActivityDate', type: 'date', label: 'Due Date Only' }),
    field({ name: 'Status', type: 'picklist', length: 255, nillable: false, defaultedOnCreate: true, restrictedPicklist: true, picklistValues: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'] }),
    field({ name: 'Priority', type: 'picklist', length: 40, nillable: false, defaultedOnCreate: true, restrictedPicklist: true, picklistValues: ['High', 'Normal', 'Low'] }),
    field({ name: 'Description', type: 'textarea' }),
    field({ name: 'Type', type: 'picklist', length: 40, picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
    // Salesforce lets TaskSubtype be set when a Task is created, never changed afterwards.
    field({ name: 'TaskSubtype', type: 'picklist', length: 40, updateable: false, restrictedPicklist: true, picklistValues: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'] }),
    field({ name: 'IsClosed', type: 'boolean', label: 'Closed', ...readOnly }),
  ]),
  obj('User', 'Users', [
    ...systemFields(false),
    field({ name: 'Username', type: 'string', length: 80, nillable: false }),
    field({ name: 'FirstName', type: 'string', length: 40 }),
    field({ name: 'LastName', type: 'string', length: 80, nillable: false }),
    field({ name: 'Name', type: 'string', length: 121, label: 'Full Name', ...readOnly, nillable: false }),
    field({ name: 'Email', type: 'email', nillable: false }),
    field({ name: 'Alias', type: 'string', length: 8, nillable: false }),
    field({ name: 'IsActive', type: 'boolean', label: 'Active' }),
    field({ name: 'TimeZoneSidKey', type: 'picklist', label: 'Time Zone', length: 40, nillable: false }),
  ], { createable: false, updateable: false, deletable: false }),
  // One row per org, computed from its settings (organization.ts); the org's default time zone lives here.
  obj('Organization', 'Organizations', [
    ...systemFields(false).filter((f) => f.name !== 'IsDeleted'),
    field({ name: 'Name', type: 'string', length: 80, nillable: false, ...readOnly }),
    field({ name: 'OrganizationType', type: 'picklist', label: 'Edition', length: 40, ...readOnly }),
    field({ name: 'IsSandbox', type: 'boolean', ...readOnly }),
    field({ name: 'InstanceName', type: 'string', length: 5, ...readOnly }),
    field({ name: 'TimeZoneSidKey', type: 'picklist', label: 'Default Time Zone', length: 40, nillable: false, ...readOnly }),
    field({ name: 'LanguageLocaleKey', type: 'picklist', label: 'Default Language', length: 40, nillable: false, ...readOnly }),
    field({ name: 'DefaultLocaleSidKey', type: 'picklist', label: 'Default Locale', length: 40, nillable: false, ...readOnly }),
  ], { createable: false, updateable: false, deletable: false }),
];

export const STANDARD_OBJECT_NAMES = STANDARD_OBJECTS.map((o) => o.name);

export function findStandardObject(name: string): ObjectDef | undefined {
  const lower = name.toLowerCase();
  return STANDARD_OBJECTS.find((o) => o.name.toLowerCase() === lower);
}

export function objectByKeyPrefix(id: string): string | undefined {
  const prefix = id.slice(0, 3);
  return STANDARD_OBJECTS.find((o) => o.keyPrefix === prefix)?.name;
}

/** A custom field as the control API accepts it. */
export interface CustomFieldSpec {
  name: string;
  type: FieldType;
  label?: string;
  length?: number;
  createable?: boolean;
  updateable?: boolean;
  nillable?: boolean;
  referenceTo?: string[];
  picklistValues?: string[];
  /** Picklists only: refuse values not in picklistValues (default true, as Setup proposes for new picklists). */
  restricted?: boolean;
  externalId?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
}

export function customField({ restricted, ...spec }: CustomFieldSpec): FieldDef {
  if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(spec.name)) {
    throw new Error(`Custom field name "${spec.name}" must end in __c`);
  }
  const base = spec.name.replace(/__c$/, '');
  return field({
    ...spec,
    restrictedPicklist: spec.type === 'picklist' && (restricted ?? true),
    nillable: spec.nillable ?? true,
    custom: true,
    ...(spec.type === 'reference' ? { relationshipName: `${base}__r`, referenceTo: spec.referenceTo ?? [] } : {}),
    picklistValues: spec.picklistValues ?? [],
  });
}

export const toSoqlField = (f: FieldDef): SoqlField => ({
  name: f.name,
  type: f.type,
  ...(f.relationshipName ? { relationshipName: f.relationshipName } : {}),
  ...(f.referenceTo.length ? { referenceTo: f.referenceTo } : {}),
  ...(isLongText(f) ? { longText: true } : {}),
});

/** A long text area: Salesforce's describe says not filterable, not sortable, and SOQL refuses both. */
export const isLongText = (f: FieldDef): boolean => f.type === 'textarea' && f.length > 255;

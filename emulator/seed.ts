// Realistic, deterministic record data: the same seed (and the same existing parents) always gives
// the same rows. Emails are unique within a batch, and a small share of contacts has none, as in
// real orgs.
import { Faker, base, en } from '@faker-js/faker';
import { OPPORTUNITY_STAGES } from './schema.js';
import type { Org, Row } from './store.js';

/** Dates (CloseDate, ActivityDate) are spread around this fixed day so output does not drift. */
const REFERENCE_DAY = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

export const GENERATABLE = ['Account', 'Contact', 'Opportunity', 'OpportunityContactRole', 'Task'] as const;

function liveIds(org: Org, objectName: string): string[] {
  const ids: string[] = [];
  for (const row of org.table(objectName).rows.values()) if (row.IsDeleted !== true) ids.push(row.Id as string);
  return ids;
}

function day(f: Faker, fromDays: number, toDays: number): string {
  return new Date(REFERENCE_DAY + f.number.int({ min: fromDays, max: toDays }) * DAY).toISOString().slice(0, 10);
}

export function generateRecords(org: Org, objectName: string, count: number, seed: number): Row[] {
  const f = new Faker({ locale: [en, base] });
  f.seed(seed);
  const accounts = objectName === 'Contact' || objectName === 'Opportunity' ? liveIds(org, 'Account') : [];
  const accountName = (id: string) => org.table('Account').rows.get(id)?.Name as string | undefined;
  const out: Row[] = [];

  switch (objectName) {
    case 'Account':
      for (let i = 0; i < count; i++) {
        const name = f.company.name();
        out.push({
          Name: name,
          Type: f.helpers.arrayElement(['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller']),
          Industry: f.helpers.arrayElement(['Banking', 'Consulting', 'Education', 'Energy', 'Healthcare', 'Manufacturing', 'Media', 'Retail', 'Technology']),
          Phone: f.phone.number({ style: 'national' }),
          Website: `https://www.${f.internet.domainWord()}.${f.internet.domainSuffix()}`,
          BillingStreet: f.location.streetAddress(),
          BillingCity: f.location.city(),
          BillingState: f.location.state({ abbreviated: true }),
          BillingPostalCode: f.location.zipCode('#####'),
          BillingCountry: 'United States',
          AnnualRevenue: f.number.int({ min: 10, max: 50_000 }) * 10_000,
          NumberOfEmployees: f.number.int({ min: 5, max: 20_000 }),
        });
      }
      break;
    case 'Contact': {
      const seen = new Set<string>();
      for (let i = 0; i < count; i++) {
        const firstName = f.person.firstName();
        const lastName = f.person.lastName();
        let email: string | null = f.internet.email({ firstName, lastName }).toLowerCase();
        if (seen.has(email)) email = email.replace('@', `.${i}@`);
        seen.add(email);
        if (f.number.int({ min: 1, max: 100 }) <= 3) email = null;
        out.push({
          FirstName: firstName,
          LastName: lastName,
          Email: email,
          Phone: f.phone.number({ style: 'national' }),
          Title: f.person.jobTitle(),
          Department: f.commerce.department(),
          MailingCity: f.location.city(),
          MailingState: f.location.state({ abbreviated: true }),
          MailingCountry: 'United States',
          LeadSource: f.helpers.arrayElement(['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other']),
          AccountId: accounts.length && f.number.int({ min: 1, max: 10 }) <= 9 ? f.helpers.arrayElement(accounts) : null,
        });
      }
      break;
    }
    case 'Opportunity':
      for (let i = 0; i < count; i++) {
        const accountId = accounts.length ? f.helpers.arrayElement(accounts) : null;
        const product = f.commerce.productName();
        out.push({
          Name: accountId ? `${accountName(accountId)} - ${product}` : product,
          StageName: f.helpers.arrayElement(OPPORTUNITY_STAGES).stage,
          CloseDate: day(f, -180, 180),
          Amount: f.number.int({ min: 10, max: 5_000 }) * 100,
          Type: f.helpers.arrayElement(['New Customer', 'Existing Customer - Upgrade', 'Existing Customer - Replacement']),
          LeadSource: f.helpers.arrayElement(['Web', 'Phone Inquiry', 'Partner Referral', 'Other']),
          NextStep: f.helpers.arrayElement(['Send proposal', 'Schedule demo', 'Follow up call', 'Legal review', null]),
          AccountId: accountId,
        });
      }
      break;
    case 'OpportunityContactRole': {
      const opps = liveIds(org, 'Opportunity');
      const contacts = liveIds(org, 'Contact');
      if (!opps.length || !contacts.length) throw new Error('Generate Opportunities and Contacts first');
      for (let i = 0; i < count; i++) {
        out.push({
          OpportunityId: f.helpers.arrayElement(opps),
          ContactId: f.helpers.arrayElement(contacts),
          Role: f.helpers.arrayElement(['Decision Maker', 'Economic Buyer', 'Evaluator', 'Influencer', 'Technical Buyer']),
          IsPrimary: i % 5 === 0,
        });
      }
      break;
    }
    case 'Task': {
      const contacts = liveIds(org, 'Contact');
      const opps = liveIds(org, 'Opportunity');
      for (let i = 0; i < count; i++) {
        const subtype = f.helpers.arrayElement(['Task', 'Email', 'Call']);
        out.push({
          Subject: subtype === 'Email' ? `Email: ${f.company.catchPhrase()}` : subtype === 'Call' ? 'Call' : f.helpers.arrayElement(['Follow up', 'Send proposal', 'Prepare quote']),
          Status: f.helpers.arrayElement(['Not Started', 'In Progress', 'Completed']),
          Priority: f.helpers.arrayElement(['High', 'Normal', 'Low']),
          ActivityDate: day(f, -60, 30),
          TaskSubtype: subtype,
          Description: f.lorem.sentence(),
          WhoId: contacts.length ? f.helpers.arrayElement(contacts) : null,
          WhatId: opps.length && f.datatype.boolean() ? f.helpers.arrayElement(opps) : null,
        });
      }
      break;
    }
    default:
      throw new Error(`Cannot generate ${objectName}; supported: ${GENERATABLE.join(', ')}`);
  }
  return out;
}

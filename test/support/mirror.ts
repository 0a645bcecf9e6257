import type { ControlClient } from '../../emulator/index.js';
import type { EmulatorRow } from '../../emulator/control-client.js';
import type { Db } from '../../db/connect.js';

// Independent expectations of the mapping (docs/how-sync-works.md#mapping), written plainly so the sync's own mapping
// code is checked rather than reused.

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

export interface ExpectedContact {
  salesforce_contact_id: string;
  salesforce_account_id: string | null;
  full_name: string | null;
  email: string | null;
  phone: string | null;
  company_name: string | null;
}

export interface ExpectedDeal {
  salesforce_opportunity_id: string;
  salesforce_account_id: string | null;
  title: string | null;
  value: string | null;
  stage: string | null;
  expected_close_date: string | null;
}

export async function expectedMirror(control: ControlClient, orgId: string) {
  const live = async (object: string) => (await control.listRecords(orgId, object)).records.filter((row: EmulatorRow) => !row.IsDeleted);
  const [accounts, contacts, opportunities] = await Promise.all([live('Account'), live('Contact'), live('Opportunity')]);
  const accountNames = new Map(accounts.map((account) => [account.Id, text(account.Name)]));

  // Duplicate emails: the earliest Salesforce Id (15-character form) keeps it.
  const owner = new Map<string, string>();
  for (const contact of contacts) {
    const email = text(contact.Email)?.toLowerCase();
    if (!email) continue;
    const current = owner.get(email);
    if (current === undefined || contact.Id.slice(0, 15) < current.slice(0, 15)) owner.set(email, contact.Id);
  }

  const expectedContacts: ExpectedContact[] = contacts.map((contact) => {
    const email = text(contact.Email)?.toLowerCase() ?? null;
    const accountId = text(contact.AccountId);
    return {
      salesforce_contact_id: contact.Id,
      salesforce_account_id: accountId,
      full_name: [text(contact.FirstName), text(contact.LastName)].filter(Boolean).join(' ') || null,
      email: email && owner.get(email) === contact.Id ? email : null,
      phone: text(contact.Phone),
      company_name: accountId ? (accountNames.get(accountId) ?? null) : null,
    };
  });
  const expectedDeals: ExpectedDeal[] = opportunities.map((opportunity) => ({
    salesforce_opportunity_id: opportunity.Id,
    salesforce_account_id: text(opportunity.AccountId),
    title: text(opportunity.Name),
    value: opportunity.Amount === null || opportunity.Amount === undefined ? null : String(opportunity.Amount),
    stage: text(opportunity.StageName),
    expected_close_date: text(opportunity.CloseDate),
  }));
  const byId = <T>(key: keyof T) => (a: T, b: T) => String(a[key]).localeCompare(String(b[key]));
  return {
    contacts: expectedContacts.sort(byId('salesforce_contact_id')),
    deals: expectedDeals.sort(byId('salesforce_opportunity_id')),
  };
}

/** The account's rows mirrored from one environment's connection (production by default). */
export async function actualMirror(db: Db, accountId: string, environment: 'production' | 'sandbox' = 'production') {
  const contacts = await db
    .selectFrom('contacts')
    .select(['salesforce_contact_id', 'salesforce_account_id', 'full_name', 'email', 'phone', 'company_name'])
    .where('account_id', '=', accountId)
    .where('salesforce_environment', '=', environment)
    .where('salesforce_contact_id', 'is not', null)
    .execute();
  const deals = await db
    .selectFrom('deals')
    .select(['salesforce_opportunity_id', 'salesforce_account_id', 'title', 'value', 'stage', 'expected_close_date'])
    .where('account_id', '=', accountId)
    .where('salesforce_environment', '=', environment)
    .execute();
  // Amounts compare as numbers written canonically ('1200.00' and 1200 are one value).
  const canonical = (value: string | null) => (value === null ? null : String(Number(value)));
  return {
    contacts: (contacts as ExpectedContact[]).sort((a, b) => a.salesforce_contact_id.localeCompare(b.salesforce_contact_id)),
    deals: deals
      .map((deal) => ({ ...deal, value: canonical(deal.value) }) as ExpectedDeal)
      .sort((a, b) => a.salesforce_opportunity_id.localeCompare(b.salesforce_opportunity_id)),
  };
}

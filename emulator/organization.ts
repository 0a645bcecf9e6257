// The Organization object: one read-only row per org, a view of the org's settings (so a
// `PATCH /__emulator/orgs/:id {timezone}` is what the next `SELECT TimeZoneSidKey FROM Organization` sees).
import type { Org, Row } from './store.js';

export function organizationRow(org: Org): Row {
  const { settings } = org;
  const sandbox = settings.environment === 'sandbox';
  // The administrator is the org's first user; Salesforce shows the org as created by it.
  const creator = (org.users.keys().next().value as string | undefined) ?? null;
  return {
    Id: org.id,
    IsDeleted: false,
    Name: settings.name,
    OrganizationType: `${settings.edition} Edition`,
    IsSandbox: sandbox,
    InstanceName: sandbox ? 'CS1' : 'NA1',
    TimeZoneSidKey: settings.timezone,
    LanguageLocaleKey: 'en_US',
    DefaultLocaleSidKey: 'en_US',
    CreatedDate: org.createdAt,
    CreatedById: creator,
    LastModifiedDate: org.createdAt,
    LastModifiedById: creator,
    SystemModstamp: org.createdAt,
  };
}

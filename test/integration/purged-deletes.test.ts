import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

// Deletes queryAll can no longer show: records purged from the recycle bin (emptied, hard-deleted)
// while the connection was paused are found by reconciling Ids after resume, and support sees how many.

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

const mirroredIds = async (table: 'contacts' | 'deals', column: 'salesforce_contact_id' | 'salesforce_opportunity_id', accountId: string) =>
  (await system.database.db.selectFrom(table).select(column).where('account_id', '=', accountId).where(column, 'is not', null).execute())
    .map((row) => (row as Record<string, string>)[column]!)
    .sort();

const liveIds = async (orgId: string, sobject: string) =>
  (await system.control.listRecords(orgId, sobject)).records.filter((row) => !row.IsDeleted).map((row) => row.Id).sort();

const health = async (accountId: string) => {
  const response = await system.call(`/api/support/connections/${accountId}/production/health`, { headers: { authorization: `Bearer ${system.config.SUPPORT_TOKEN}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as { reconciliation: { lastRunAt: string | null; lastCheckedAt: string | null; removed: Record<string, number>; inProgress: string[]; reason: string | null } };
};

describe('deletes purged from the recycle bin', () => {
  it('records purged while the connection was paused are removed after resume, and the health route says how many', async () => {
    const org = await system.createOrg('production');
    await system.control.generateRecords(org.orgId, 'Account', 5, 91);
    const contacts = (await system.control.generateRecords(org.orgId, 'Contact', 30, 92)).ids;
    const deals = (await system.control.generateRecords(org.orgId, 'Opportunity', 6, 93)).ids;
    const accountId = 'acct-purged';
    await connectThroughBrowser(system, accountId, 'production', org);
    await eventually(async () => {
      const current = await system.status(accountId);
      return current.initialSync?.completedAt && current.phase === 'incremental' ? current : undefined;
    }, 30_000);
    expect(await mirroredIds('contacts', 'salesforce_contact_id', accountId)).toHaveLength(30);
    const before = await health(accountId);
    expect(before.reconciliation).toMatchObject({ lastRunAt: null, removed: {}, inProgress: [] });

    expect((await system.support(accountId, 'pause')).status).toBe(200);
    // As if the pause had come before the first incremental window (what happens on a busy machine): no
    // deletes check recorded yet. The resume must still check.
    const connection = await system.database.db.selectFrom('salesforce_connections').select('id').where('account_id', '=', accountId).executeTakeFirstOrThrow();
    await system.database.db.deleteFrom('salesforce_reconciliations').where('connection_id', '=', connection.id).execute();
    // Deleted, then the recycle bin emptied: queryAll will never show these deletes.
    await system.control.deleteRecords(org.orgId, 'Contact', contacts.slice(0, 2));
    expect((await system.control.emptyRecycleBin(org.orgId)).purged).toEqual({ Contact: 2 });
    // A hard delete skips the bin; a plain delete stays in it (queryAll shows that one).
    await system.control.deleteRecords(org.orgId, 'Opportunity', [deals[0]!], { hard: true });
    await system.control.deleteRecords(org.orgId, 'Contact', [contacts[2]!]);
    // Paused longer than 10 poll intervals: the deletes are checked on resume.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const usageBefore = (await system.control.usage(org.orgId)).total;
    expect((await system.support(accountId, 'resume')).status).toBe(200);

    const liveContacts = await liveIds(org.orgId, 'Contact');
    const liveDeals = await liveIds(org.orgId, 'Opportunity');
    expect(liveContacts).toHaveLength(27);
    await eventually(async () => {
      const [mirroredContacts, mirroredDeals] = [await mirroredIds('contacts', 'salesforce_contact_id', accountId), await mirroredIds('deals', 'salesforce_opportunity_id', accountId)];
      return JSON.stringify(mirroredContacts) === JSON.stringify(liveContacts) && JSON.stringify(mirroredDeals) === JSON.stringify(liveDeals);
    }, 30_000);
    const reported = await eventually(async () => {
      const current = await health(accountId);
      return current.reconciliation.removed.Contact !== undefined && current.reconciliation.removed.Opportunity !== undefined ? current : undefined;
    });
    // The Ids listing saw the bin's record gone too; Accounts had nothing purged: getDeleted sufficed, no listing.
    expect(reported.reconciliation).toMatchObject({ removed: { Contact: 3, Opportunity: 1 }, inProgress: [] });
    expect(reported.reconciliation.lastRunAt).not.toBeNull();
    expect(reported.reconciliation.reason).toContain('recycle bin');
    const status = await eventually(async () => {
      const current = await system.status(accountId);
      return current.objects.Contact?.records === 27 ? current : undefined;
    });
    expect(status.objects.Opportunity?.records).toBe(5);

    // Cheap: a getDeleted call per object and one Id page per reconciled object, beside the usual windows.
    const usage = await system.control.usage(org.orgId);
    expect(usage.byEndpoint['GET /sobjects/Account/deleted']).toBe(1);
    expect(usage.total - usageBefore).toBeLessThan(20);

    // Checked now: later cycles do not check again (at most daily, or after the next long pause).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const later = await system.control.usage(org.orgId);
    expect(Object.entries(later.byEndpoint).filter(([endpoint]) => endpoint.includes('/deleted')).map(([, n]) => n)).toEqual([1, 1, 1]);
  });
});

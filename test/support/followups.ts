import type { Db } from '../../db/connect.js';
import type { UsageReport } from '../../emulator/usage.js';
import { referencedFollowupId } from '../../domain/followup-task.js';
import { connectThroughBrowser, eventually } from './oauth-browser.js';
import type { TestOrg, TestSystem } from './system.js';

// Follow-ups → Salesforce Tasks, end to end: an org with contacts, opportunities and a sales rep,
// connected through the real OAuth flow; follow-ups posted over HTTP; Tasks read back from the emulator.

export interface TaskOrg {
  org: TestOrg;
  accountId: string;
  contactEmails: string[];
  /** Salesforce Contact Id by email. */
  contactIds: Map<string, string>;
  /** FastFollow deal ids mirrored from the org, with their Salesforce Opportunity Id. */
  deals: Array<{ id: string; opportunityId: string }>;
  rep: { email: string; userId: string };
}

export interface FollowupBody {
  followupId: string;
  accountId: string;
  environment?: 'production' | 'sandbox';
  contactEmail: string;
  dealId?: string;
  sentAt: string;
  subject: string;
  body?: string | null;
  senderEmail?: string;
}

export interface FollowupAnswer {
  followupId: string;
  status: 'pending' | 'logged' | 'failed';
  salesforceTaskId?: string;
  error?: { code: string; message: string; fix: string };
}

/** An org (in `timezone`) with `contacts` contacts, a few opportunities and a rep, connected to `accountId` and read once. */
export async function connectTaskOrg(system: TestSystem, accountId: string, options: { timezone: string; contacts: number }): Promise<TaskOrg> {
  const org = await system.createOrg('production', { timezone: options.timezone });
  const { ids: [sfAccountId] } = await system.control.insertRecords(org.orgId, 'Account', [{ Name: `${accountId} Inc` }]);
  const contactEmails = Array.from({ length: options.contacts }, (_, i) => `person${i}.${accountId}@customer.example`);
  const { ids } = await system.control.insertRecords(
    org.orgId,
    'Contact',
    contactEmails.map((email, i) => ({ FirstName: 'Person', LastName: `No ${i}`, Email: email, AccountId: sfAccountId })),
  );
  await system.control.insertRecords(
    org.orgId,
    'Opportunity',
    Array.from({ length: 5 }, (_, i) => ({ Name: `Deal ${i}`, StageName: 'Prospecting', CloseDate: '2030-01-31', AccountId: sfAccountId })),
  );
  const repEmail = `rep.${accountId}@seller.example`;
  const rep = await system.control.createUser(org.orgId, { username: `rep.${accountId}@seller.example`, password: 'pw-rep-123456', email: repEmail });
  await connectThroughBrowser(system, accountId, 'production', org);
  await eventually(async () => (await system.status(accountId)).initialSync?.completedAt, 60_000);
  const deals = await system.database.db
    .selectFrom('deals')
    .select(['id', 'salesforce_opportunity_id'])
    .where('account_id', '=', accountId)
    .orderBy('salesforce_opportunity_id')
    .execute();
  return {
    org,
    accountId,
    contactEmails,
    contactIds: new Map(contactEmails.map((email, i) => [email, ids[i]!])),
    deals: deals.map((d) => ({ id: d.id, opportunityId: d.salesforce_opportunity_id! })),
    rep: { email: repEmail, userId: rep.userId },
  };
}

export async function postFollowup(system: TestSystem, body: FollowupBody): Promise<{ status: number; body: FollowupAnswer & { error?: { code: string; message: string; fix?: string; fields?: Array<{ path: string }> } } }> {
  const response = await system.call('/api/followups', { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as FollowupAnswer };
}

export async function followupStatus(system: TestSystem, followupId: string): Promise<FollowupAnswer> {
  return (await (await system.call(`/api/followups/${followupId}`)).json()) as FollowupAnswer;
}

/** Waits until every follow-up is logged or failed; answers them by id. */
export async function settled(system: TestSystem, followupIds: string[], timeoutMs = 60_000): Promise<Map<string, FollowupAnswer>> {
  return eventually(async () => {
    const rows = await system.database.db.selectFrom('followups').select(['id', 'task_status']).where('id', 'in', followupIds).execute();
    if (rows.length !== followupIds.length || rows.some((row) => row.task_status === 'pending')) return undefined;
    return new Map(await Promise.all(followupIds.map(async (id) => [id, await followupStatus(system, id)] as const)));
  }, timeoutMs);
}

/** The org's Tasks, by the follow-up their Description references (a follow-up with two Tasks shows up twice in `duplicates`). */
export async function tasksByFollowup(system: TestSystem, orgId: string) {
  const { records } = await system.control.listRecords(orgId, 'Task');
  const live = records.filter((task) => task.IsDeleted !== true);
  const byFollowup = new Map<string, (typeof live)[number]>();
  const duplicates: string[] = [];
  for (const task of live) {
    const followupId = referencedFollowupId(task.Description as string | null);
    if (!followupId) continue;
    if (byFollowup.has(followupId)) duplicates.push(followupId);
    byFollowup.set(followupId, task);
  }
  return { total: live.length, byFollowup, duplicates };
}

/** sObject Collections create calls in a usage report. */
export function collectionCreates(usage: UsageReport): number {
  return Object.entries(usage.byEndpoint)
    .filter(([endpoint]) => endpoint.startsWith('POST') && endpoint.includes('composite/sobjects'))
    .reduce((sum, [, n]) => sum + n, 0);
}

export async function pendingBatches(db: Db, followupIds: string[]): Promise<number> {
  const rows = await db.selectFrom('followups').select('id').where('id', 'in', followupIds).where('task_batch_id', 'is not', null).execute();
  return rows.length;
}

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseReadMethod, expectedBulkPolls } from '../../domain/sync/plan.js';
import type { ConnectionStatus } from '../../domain/connection-status.js';
import { actualMirror, expectedMirror } from '../support/mirror.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

let system: TestSystem;
let org: TestOrg;
const ACCOUNT = 'acct-sync';

async function cycleCompletedAfter(since: number): Promise<ConnectionStatus> {
  return eventually(async () => {
    const current = await system.status(ACCOUNT);
    return current.lastSyncAt && Date.parse(current.lastSyncAt) > since ? current : undefined;
  }, 60_000);
}

/** Waits for a whole incremental cycle that started after `since` (plus the safety lag). */
async function cycleStartedAfter(since: number): Promise<ConnectionStatus> {
  const first = await cycleCompletedAfter(since + 600); // the safety lag is 500 ms
  return cycleCompletedAfter(Date.parse(first.lastSyncAt!));
}

beforeAll(async () => {
  system = await startTestSystem();
  org = await system.createOrg('production');
  await system.control.generateRecords(org.orgId, 'Account', 2_000, 11);
  await system.control.generateRecords(org.orgId, 'Contact', 20_000, 12);
  await system.control.generateRecords(org.orgId, 'Opportunity', 5_000, 13);
}, 120_000);
afterAll(() => system?.stop());

describe('Salesforce → FastFollow sync', () => {
  it('initial sync: 20,000 contacts, 2,000 accounts, 5,000 opportunities mirrored field by field, with the minimum API calls', async () => {
    const before = await system.control.usage(org.orgId);
    await connectThroughBrowser(system, ACCOUNT, 'production', org);
    const done = await eventually(async () => {
      const current = await system.status(ACCOUNT);
      return current.initialSync?.completedAt ? current : undefined;
    }, 120_000);

    const expected = await expectedMirror(system.control, org.orgId);
    const actual = await actualMirror(system.database.db, ACCOUNT);
    expect(actual.contacts.length).toBe(20_000);
    expect(actual.deals.length).toBe(5_000);
    expect(actual.contacts).toEqual(expected.contacts);
    expect(actual.deals).toEqual(expected.deals);

    expect(done.objects).toMatchObject({ Account: { records: 2_000 }, Contact: { records: 20_000 }, Opportunity: { records: 5_000 } });
    // One record-count call, then per object the cheaper method: Bulk API 2.0 for the 20,000
    // contacts (job, polls, one results chunk), REST pages of 2,000 for the rest. Allow 10 %.
    const plan = [2_000, 20_000, 5_000].map((recordCount) => chooseReadMethod({ recordCount }));
    expect(plan.map((p) => p.method)).toEqual(['rest', 'bulk', 'rest']);
    const minimum = 1 + plan.reduce((sum, p) => sum + p.expectedApiCalls, 0);
    // The plan expects 3 status polls for the job; the emulator's job is done at the first.
    expect(done.initialSync?.apiCalls).toBeGreaterThanOrEqual(minimum - (expectedBulkPolls(20_000) - 1));
    expect(done.initialSync?.apiCalls).toBeLessThanOrEqual(Math.floor(minimum * 1.1));
    expect(done.initialSync!.apiCalls).toBeLessThan(1 + 1 + 10 + 3); // cheaper than REST alone
    // The workflow's count matches what Salesforce counted (plus the identity call made while connecting).
    const after = await system.control.usage(org.orgId);
    const current = await system.status(ACCOUNT);
    expect(after.total - before.total).toBeGreaterThanOrEqual(current.syncApiCalls ?? 0);
    expect(after.total - before.total).toBeLessThanOrEqual((current.syncApiCalls ?? 0) + 2);
  }, 180_000);

  it('one incremental cycle applies creates, updates (3,000 sharing one SystemModstamp), deletes and an account rename', async () => {
    const contacts = (await system.control.listRecords(org.orgId, 'Contact')).records.filter((row) => !row.IsDeleted);
    const accounts = (await system.control.listRecords(org.orgId, 'Account')).records.filter((row) => !row.IsDeleted);
    const opportunities = (await system.control.listRecords(org.orgId, 'Opportunity')).records.filter((row) => !row.IsDeleted);

    await system.control.updateRecords(
      org.orgId,
      'Contact',
      contacts.slice(0, 3_000).map((row, i) => ({ Id: row.Id, Phone: `+1 555 ${String(i).padStart(4, '0')}`, Title: 'Updated' })),
      { sameTimestamp: true },
    );
    const created = await system.control.insertRecords(org.orgId, 'Contact', [
      { FirstName: 'Ada', LastName: 'Lovelace', Email: 'Ada.Lovelace@Example.com', AccountId: accounts[0]!.Id },
      { LastName: 'NoEmail' },
    ]);
    await system.control.deleteRecords(org.orgId, 'Contact', contacts.slice(5_000, 5_010).map((row) => row.Id));
    await system.control.deleteRecords(org.orgId, 'Opportunity', opportunities.slice(0, 5).map((row) => row.Id));
    await system.control.updateRecords(org.orgId, 'Opportunity', [{ Id: opportunities[10]!.Id, Amount: null, StageName: 'Closed Won' }]);
    const renamed = accounts.find((account) => contacts.some((contact) => contact.AccountId === account.Id))!;
    await system.control.updateRecords(org.orgId, 'Account', [{ Id: renamed.Id, Name: 'Renamed Industries' }]);

    await cycleStartedAfter(Date.now());
    const expected = await expectedMirror(system.control, org.orgId);
    const actual = await actualMirror(system.database.db, ACCOUNT);
    expect(actual.contacts).toEqual(expected.contacts);
    expect(actual.deals).toEqual(expected.deals);

    const ada = actual.contacts.find((row) => row.salesforce_contact_id === created.ids[0]);
    expect(ada).toMatchObject({ full_name: 'Ada Lovelace', email: 'ada.lovelace@example.com' });
    expect(actual.contacts.filter((row) => row.company_name === 'Renamed Industries').length).toBeGreaterThan(0);
    expect(actual.contacts.filter((row) => row.phone?.startsWith('+1 555 ')).length).toBe(3_000);
    expect(actual.deals.find((row) => row.salesforce_opportunity_id === opportunities[10]!.Id)).toMatchObject({ value: null, stage: 'Closed Won' });

    // The contact without an email is kept, with a visible warning.
    const warnings = await system.database.db
      .selectFrom('salesforce_sync_errors')
      .select(['code', 'salesforce_id'])
      .where('salesforce_id', '=', created.ids[1]!)
      .execute();
    expect(warnings).toEqual([{ code: 'MISSING_EMAIL', salesforce_id: created.ids[1] }]);
  }, 120_000);

  it('support: resync re-reads everything keeping the data; pause and resume take effect between pages', async () => {
    expect((await system.call(`/api/support/connections/${ACCOUNT}/production/pause`, { method: 'POST' })).status).toBe(401);
    const unknown = await system.call(`/api/support/connections/acct-nobody/production/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${system.config.SUPPORT_TOKEN}` },
    });
    expect(unknown.status).toBe(404);

    // A mirrored field that drifted from Salesforce without being written back (a change made with the
    // sync's own marker, so change capture skips it): the re-read restores Salesforce's value.
    const victim = (await actualMirror(system.database.db, ACCOUNT)).contacts[0]!;
    await system.database.db.transaction().execute(async (trx) => {
      await sql`select set_config('fastfollow.sync_origin', 'salesforce', true)`.execute(trx);
      await trx.updateTable('contacts').set({ phone: 'drifted' }).where('salesforce_contact_id', '=', victim.salesforce_contact_id).execute();
    });

    await system.control.setFaults(org.orgId, { latencyMs: 250 }); // slow pages so the pause lands mid-read
    const accepted = await system.support(ACCOUNT, 'resync');
    expect(accepted.status).toBe(200); // the command took effect: the answer is the status after it
    expect(((await accepted.json()) as ConnectionStatus).phase).toBe('initial_sync');
    const started = await eventually(async () => {
      const current = await system.status(ACCOUNT);
      return current.phase === 'initial_sync' && (current.initialSync?.records ?? 0) > 0 ? current : undefined;
    }, 30_000);
    expect(started.initialSync?.completedAt).toBeNull();

    const pauseAnswer = await system.support(ACCOUNT, 'pause');
    expect(pauseAnswer.status).toBe(200);
    expect(((await pauseAnswer.json()) as ConnectionStatus).phase).toBe('paused');
    const paused = await eventually(async () => {
      const current = await system.status(ACCOUNT);
      return current.phase === 'paused' ? current : undefined;
    }, 30_000);
    const usageWhilePaused = await system.control.usage(org.orgId);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await system.status(ACCOUNT)).initialSync?.records).toBe(paused.initialSync?.records);
    expect((await system.control.usage(org.orgId)).total).toBe(usageWhilePaused.total);
    expect(paused.initialSync!.records).toBeLessThan(27_000);

    expect((await system.support(ACCOUNT, 'resume')).status).toBe(200);
    await system.control.setFaults(org.orgId, { latencyMs: 0 });
    const finished = await eventually(async () => {
      const current = await system.status(ACCOUNT);
      return current.initialSync?.completedAt ? current : undefined;
    }, 120_000);
    expect(finished.initialSync?.records).toBeGreaterThanOrEqual(27_000 - 15);

    const expected = await expectedMirror(system.control, org.orgId);
    const actual = await actualMirror(system.database.db, ACCOUNT);
    expect(actual.contacts).toEqual(expected.contacts);
    expect(actual.deals).toEqual(expected.deals);
    expect(actual.contacts.find((row) => row.salesforce_contact_id === victim.salesforce_contact_id)?.phone).toBe(victim.phone);
  }, 180_000);

  it('dirty data: duplicate emails and a FastFollow-only contact — deterministic, visible, nothing dropped', async () => {
    const mirrored = (await actualMirror(system.database.db, ACCOUNT)).contacts.filter((row) => row.email);
    const holder = mirrored[0]!;
    const followupContact = await system.database.db
      .insertInto('contacts')
      .values({ account_id: ACCOUNT, full_name: 'Only In FastFollow', email: 'ff.only@example.com' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const created = await system.control.insertRecords(org.orgId, 'Contact', [
      { FirstName: 'Second', LastName: 'Holder', Email: holder.email!.toUpperCase() },
      { FirstName: 'Same', LastName: 'Person', Email: 'FF.Only@Example.com' },
    ]);
    // (Salesforce itself refuses malformed emails and over-long values; the mapping's handling of those is unit-tested.)
    const [duplicateId, adoptedId] = created.ids as [string, string];

    await cycleStartedAfter(Date.now());
    const expected = await expectedMirror(system.control, org.orgId);
    const actual = await actualMirror(system.database.db, ACCOUNT);
    expect(actual.contacts).toEqual(expected.contacts);

    // The earlier Salesforce contact keeps the email; the newer one is kept without it.
    expect(actual.contacts.find((row) => row.salesforce_contact_id === holder.salesforce_contact_id)?.email).toBe(holder.email);
    expect(actual.contacts.find((row) => row.salesforce_contact_id === duplicateId)).toMatchObject({ full_name: 'Second Holder', email: null });
    // The FastFollow-only contact is the same person: linked in place (same row, so its follow-ups stay attached).
    const adopted = await system.database.db.selectFrom('contacts').selectAll().where('salesforce_contact_id', '=', adoptedId).executeTakeFirstOrThrow();
    expect(adopted).toMatchObject({ id: followupContact.id, full_name: 'Same Person', email: 'ff.only@example.com' });

    const errors = await system.database.db
      .selectFrom('salesforce_sync_errors')
      .select(['salesforce_id', 'code', 'field', 'message'])
      .where('salesforce_id', 'in', [duplicateId, adoptedId])
      .orderBy('code')
      .execute();
    expect(errors.map(({ salesforce_id, code, field }) => ({ salesforce_id, code, field }))).toEqual([
      { salesforce_id: duplicateId, code: 'DUPLICATE_EMAIL', field: 'Email' },
    ]);
    expect(errors[0]?.message).toContain(holder.salesforce_contact_id);
    // Messages name records and fields, never their values.
    expect(errors[0]?.message).not.toContain(holder.email);

    // Support sees them grouped by code, with the affected records and the fix text.
    const response = await system.call(`/api/support/connections/${ACCOUNT}/production/health`, {
      headers: { authorization: `Bearer ${system.config.SUPPORT_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const health = (await response.json()) as {
      phase: string;
      apiUsage: { orgUsed: number; orgLimit: number; bySync: number };
      recordErrors: Array<{ code: string; records: number; objects: string[]; sampleRecordIds: string[]; fix: string }>;
    };
    expect(health.phase).toBe('incremental');
    expect(health.apiUsage.orgLimit).toBe(100_000);
    expect(health.apiUsage.bySync).toBeGreaterThan(0);
    expect(health.apiUsage.orgUsed).toBeGreaterThanOrEqual(health.apiUsage.bySync);
    const duplicate = health.recordErrors.find((group) => group.code === 'DUPLICATE_EMAIL');
    expect(duplicate).toMatchObject({ objects: ['Contact'] });
    expect(duplicate?.sampleRecordIds).toContain(duplicateId);
    expect(duplicate?.fix).toContain('created first in Salesforce keeps the email');
    const missing = health.recordErrors.find((group) => group.code === 'MISSING_EMAIL');
    expect(missing?.records).toBeGreaterThanOrEqual(1);
  }, 120_000);
});


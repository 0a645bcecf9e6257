import { sql } from 'kysely';
import { restApiCalls } from '../../domain/sync/plan.js';
import type { BenchOptions } from '../args.js';
import type { ScenarioResult } from '../report.js';
import { connectionStatus, failIfStuck, waitFor } from '../status.js';
import type { BenchOrg, BenchSystem } from '../system.js';
import { usageDelta } from '../usage.js';
import type { SeededOrg } from './initial-sync.js';

const PHONE_PREFIX = '+1 555 01';

/**
 * After the initial sync: update contacts with one shared SystemModstamp, create and delete some,
 * then time until a whole cycle that started after the change has completed, and the calls it used.
 */
export async function incrementalCycleScenario(system: BenchSystem, org: BenchOrg, accountId: string, seeded: SeededOrg, options: BenchOptions): Promise<ScenarioResult> {
  const { updates, creates, deletes } = options;
  const updated = seeded.contactIds.slice(0, updates);
  const deleted = seeded.contactIds.slice(updates, updates + deletes);
  const expectedContacts = seeded.counts.Contact + creates - deletes;

  // Let the first incremental cycles after the initial sync settle, so the "before" figures are a cycle's.
  let status = await waitFor('an incremental cycle', async () => {
    const current = await connectionStatus(system, accountId);
    failIfStuck(current);
    return current?.phase === 'incremental' && current.lastSyncAt ? current : undefined;
  }, { timeoutMs: 60_000, intervalMs: 100 });
  const usageBefore = await system.control.usage(org.orgId);

  const changeStarted = Date.now();
  if (updated.length > 0) {
    await system.control.updateRecords(org.orgId, 'Contact', updated.map((Id, i) => ({ Id, Phone: `${PHONE_PREFIX}${String(i).padStart(6, '0')}` })), { sameTimestamp: true });
  }
  if (creates > 0) {
    const accounts = seeded.accountIds;
    await system.control.insertRecords(org.orgId, 'Contact', Array.from({ length: creates }, (_, i) => ({
      FirstName: 'Bench',
      LastName: `Created ${i}`,
      Email: `bench.created.${i}@example.com`,
      ...(accounts.length > 0 ? { AccountId: accounts[i % accounts.length] } : {}),
    })));
  }
  if (deleted.length > 0) await system.control.deleteRecords(org.orgId, 'Contact', deleted);
  const changedAt = Date.now();

  // A cycle covers the change when its first object's window ends after it: the cycle started at
  // least the safety lag after the change. Read right after a new lastSyncAt, the cursors are still that cycle's.
  let previous = status;
  let cycles = 0;
  const covering = await waitFor('an incremental cycle that started after the change', async () => {
    const current = await connectionStatus(system, accountId);
    failIfStuck(current);
    if (!current?.lastSyncAt || current.lastSyncAt === previous.lastSyncAt) return undefined;
    cycles++;
    const account = await system.db
      .selectFrom('salesforce_sync_cursors')
      .innerJoin('salesforce_connections', 'salesforce_connections.id', 'salesforce_sync_cursors.connection_id')
      .select('salesforce_sync_cursors.watermark')
      .where('salesforce_connections.account_id', '=', accountId)
      .where('salesforce_sync_cursors.object', '=', 'Account')
      .executeTakeFirst();
    if (account?.watermark && account.watermark.getTime() >= changedAt) return { status: current, previous };
    previous = current;
    return undefined;
  }, { timeoutMs: 120_000, intervalMs: 100 });
  const usageAfter = await system.control.usage(org.orgId);
  const applied = await changesApplied(system, accountId, updated.length, creates, deleted, expectedContacts);

  const completedAt = Date.parse(covering.status.lastSyncAt!);
  const cycleCalls = (covering.status.syncApiCalls ?? 0) - (covering.previous.syncApiCalls ?? 0);
  const changedRecords = updates + creates + deletes;
  // One queryAll per object and window: Account and Opportunity fit one page; the contacts' changes page by 2,000.
  const minimumCalls = 1 + restApiCalls(changedRecords) + 1;
  const delta = usageDelta(usageBefore, usageAfter);
  status = covering.status;

  return {
    scenario: 'incremental-cycle',
    metrics: [
      { metric: `changes (${updates} same-stamp updates, ${creates} creates, ${deletes} deletes)`, value: changedRecords, unit: 'records' },
      { metric: 'change → covering cycle completed', value: (completedAt - changedAt) / 1000, unit: 's' },
      { metric: 'all changes in Postgres after that cycle', value: applied.ok ? 'yes' : 'NO', unit: '' },
      { metric: 'API calls of that cycle (status)', value: cycleCalls, unit: 'calls' },
      { metric: 'minimum for that cycle (REST)', value: minimumCalls, unit: 'calls' },
      { metric: `emulator usage Δ (change → done, ${cycles} cycle${cycles === 1 ? '' : 's'})`, value: delta.total, unit: 'calls' },
    ],
    details: {
      changeStartedAt: new Date(changeStarted).toISOString(),
      changedAt: new Date(changedAt).toISOString(),
      changeSeconds: (changedAt - changeStarted) / 1000,
      coveringCycle: { completedAt: status.lastSyncAt, previousCompletedAt: covering.previous.lastSyncAt, apiCalls: cycleCalls },
      cyclesObserved: cycles,
      postgresAfterCycle: applied,
      emulatorUsageDelta: delta,
      objects: status.objects,
    },
  };
}

/** Whether Postgres holds every update, create and delete (counted, not compared field by field). */
async function changesApplied(system: BenchSystem, accountId: string, updates: number, creates: number, deleted: string[], expectedContacts: number) {
  const row = await system.db
    .selectFrom('contacts')
    .where('account_id', '=', accountId)
    .select([
      sql<string>`count(*)`.as('total'),
      sql<string>`count(*) filter (where phone like ${`${PHONE_PREFIX}%`})`.as('updated'),
      sql<string>`count(*) filter (where email like 'bench.created.%')`.as('created'),
      sql<string>`count(*) filter (where salesforce_contact_id = any(${deleted}))`.as('deleted'),
    ])
    .executeTakeFirstOrThrow();
  const counts = { total: Number(row.total), updated: Number(row.updated), created: Number(row.created), deletedStillPresent: Number(row.deleted) };
  const ok = counts.updated === updates && counts.created === creates && counts.deletedStillPresent === 0 && counts.total === expectedContacts;
  return { ok, expectedContacts, ...counts };
}

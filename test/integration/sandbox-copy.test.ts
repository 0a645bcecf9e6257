import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../domain/connection-status.js';
import { actualMirror, expectedMirror } from '../support/mirror.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

// One account connects production and a full-copy sandbox of it (same record Ids, as Salesforce copies
// them). Each connection's rows stay its own: sandbox edits, deletes, a resync and a reconnect to another
// org never touch production's rows or counts.

let system: TestSystem;
let production: TestOrg;
let sandbox: TestOrg;
const ACCOUNT = 'acct-two-orgs';

type Environment = 'production' | 'sandbox';

async function initialSyncDone(environment: Environment, after = 0): Promise<ConnectionStatus> {
  return eventually(async () => {
    const status = await system.status(ACCOUNT, environment);
    const completed = status.initialSync?.completedAt;
    return completed && Date.parse(completed) > after && status.phase === 'incremental' ? status : undefined;
  }, 90_000);
}

/** Waits for a whole incremental cycle that started after now (plus the safety lag). */
async function nextCycle(environment: Environment): Promise<ConnectionStatus> {
  const since = Date.now() + 600;
  const completedAfter = (time: number) =>
    eventually(async () => {
      const status = await system.status(ACCOUNT, environment);
      return status.lastSyncAt && Date.parse(status.lastSyncAt) > time ? status : undefined;
    }, 60_000);
  return completedAfter(Date.parse((await completedAfter(since)).lastSyncAt!));
}

/**
 * Every production row as stored, but updated_at: production's own incremental cycles re-apply records
 * inside their lookback window (same values, same version), which bumps it.
 */
async function productionRows() {
  const contacts = await system.database.db.selectFrom('contacts').selectAll().where('salesforce_environment', '=', 'production').orderBy('id').execute();
  const deals = await system.database.db.selectFrom('deals').selectAll().where('salesforce_environment', '=', 'production').orderBy('id').execute();
  const stored = <T extends { updated_at: Date }>({ updated_at: _updated, ...row }: T) => row;
  return { contacts: contacts.map(stored), deals: deals.map(stored) };
}

async function expectMirrors(environment: Environment, org: TestOrg): Promise<void> {
  const expected = await expectedMirror(system.control, org.orgId);
  const actual = await actualMirror(system.database.db, ACCOUNT, environment);
  expect(actual.contacts).toEqual(expected.contacts);
  expect(actual.deals).toEqual(expected.deals);
}

beforeAll(async () => {
  system = await startTestSystem();
  production = await system.createOrg('production');
  await system.control.generateRecords(production.orgId, 'Account', 40, 21);
  await system.control.generateRecords(production.orgId, 'Contact', 300, 22);
  await system.control.generateRecords(production.orgId, 'Opportunity', 80, 23);
  const copy = await system.control.createSandboxCopy(production.orgId, { kind: 'full', name: 'uat' });
  sandbox = { orgId: copy.orgId, userId: production.userId, username: `${production.username}.uat`, password: production.password, loginUrl: copy.loginUrl };
}, 120_000);
afterAll(() => system?.stop());

describe('production and a sandbox copied from it, on one account', () => {
  it('both sync the same record Ids into rows of their own, counted per connection', async () => {
    await connectThroughBrowser(system, ACCOUNT, 'production', production);
    const productionDone = await initialSyncDone('production');
    await connectThroughBrowser(system, ACCOUNT, 'sandbox', sandbox);
    const sandboxDone = await initialSyncDone('sandbox');

    await expectMirrors('production', production);
    await expectMirrors('sandbox', sandbox);
    const counts = { Account: { records: 40 }, Contact: { records: 300 }, Opportunity: { records: 80 } };
    expect(productionDone.objects).toMatchObject(counts);
    expect(sandboxDone.objects).toMatchObject(counts);
    expect((await system.status(ACCOUNT, 'production')).objects).toMatchObject(counts);
  }, 180_000);

  it('a sandbox edit, delete and rename change only sandbox rows; production rows and counts stay as they were', async () => {
    const before = await productionRows();
    const productionStatus = await system.status(ACCOUNT, 'production');
    const contacts = (await system.control.listRecords(sandbox.orgId, 'Contact')).records.filter((row) => !row.IsDeleted);
    const opportunities = (await system.control.listRecords(sandbox.orgId, 'Opportunity')).records.filter((row) => !row.IsDeleted);
    const accounts = (await system.control.listRecords(sandbox.orgId, 'Account')).records.filter((row) => !row.IsDeleted);
    await system.control.updateRecords(sandbox.orgId, 'Contact', contacts.slice(0, 10).map((row) => ({ Id: row.Id, Phone: 'edited in sandbox' })));
    await system.control.deleteRecords(sandbox.orgId, 'Contact', contacts.slice(10, 15).map((row) => row.Id));
    await system.control.updateRecords(sandbox.orgId, 'Opportunity', [{ Id: opportunities[0]!.Id, StageName: 'Closed Lost' }]);
    await system.control.deleteRecords(sandbox.orgId, 'Opportunity', [opportunities[1]!.Id]);
    const renamed = accounts.find((account) => contacts.slice(20).some((contact) => contact.AccountId === account.Id))!;
    await system.control.updateRecords(sandbox.orgId, 'Account', [{ Id: renamed.Id, Name: 'Sandbox Rename' }]);

    const cycle = await nextCycle('sandbox');
    await expectMirrors('sandbox', sandbox);
    expect(cycle.objects.Contact?.records).toBe(295);
    expect(cycle.objects.Opportunity?.records).toBe(79);
    const sandboxRows = await actualMirror(system.database.db, ACCOUNT, 'sandbox');
    expect(sandboxRows.contacts.filter((row) => row.phone === 'edited in sandbox')).toHaveLength(10);

    await nextCycle('production');
    expect(await productionRows()).toEqual(before);
    await expectMirrors('production', production);
    expect((await system.status(ACCOUNT, 'production')).objects).toMatchObject({
      Contact: { records: productionStatus.objects.Contact?.records },
      Opportunity: { records: productionStatus.objects.Opportunity?.records },
    });
  }, 180_000);

  it("a sandbox resync re-reads the sandbox without touching production's rows", async () => {
    const before = await productionRows();
    const started = Date.now();
    expect((await system.support(ACCOUNT, 'resync', 'sandbox')).status).toBe(200);
    await initialSyncDone('sandbox', started);
    await expectMirrors('sandbox', sandbox);
    expect(await productionRows()).toEqual(before);
  }, 180_000);

  it("reconnecting the sandbox to another org removes the old org's rows when the new read starts; production untouched", async () => {
    const before = await productionRows();
    const other = await system.createOrg('sandbox');
    await system.control.generateRecords(other.orgId, 'Account', 5, 31);
    await system.control.generateRecords(other.orgId, 'Contact', 12, 32);
    const started = Date.now();
    await connectThroughBrowser(system, ACCOUNT, 'sandbox', other);
    const done = await initialSyncDone('sandbox', started);
    await expectMirrors('sandbox', other);
    expect(done.objects).toMatchObject({ Account: { records: 5 }, Contact: { records: 12 }, Opportunity: { records: 0 } });
    expect(await productionRows()).toEqual(before);
  }, 180_000);
});

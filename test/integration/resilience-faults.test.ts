import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type Db } from '../../db/connect.js';
import { actualMirror, expectedMirror } from '../support/mirror.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

// Fast variants of the resilience suite: a flaky, slow Salesforce whose sessions keep ending, and
// Postgres going away mid-sync. Each ends with Postgres equal to the emulator's data, and the token
// requests are counted: a session that ends costs one refresh, never a storm of them.

let system: TestSystem;
let admin: Db;

beforeAll(async () => {
  system = await startTestSystem();
  admin = createDb(inject('postgresAdminUrl'), { max: 1 });
}, 120_000);

afterAll(async () => {
  await admin?.destroy();
  await system?.stop();
});

/** Access tokens the org issued to the sync's Connected App: one per token request that succeeded. */
async function accessTokensIssued(orgId: string): Promise<number> {
  const { tokens } = await system.control.tokens(orgId);
  return tokens.filter((token) => token.type === 'access' && token.clientId === system.config.SALESFORCE_CLIENT_ID).length;
}

async function expectMirrorEqual(accountId: string, orgId: string, timeoutMs: number): Promise<void> {
  await eventually(async () => {
    const [expected, actual] = await Promise.all([expectedMirror(system.control, orgId), actualMirror(system.database.db, accountId)]);
    return JSON.stringify(actual.contacts) === JSON.stringify(expected.contacts) && JSON.stringify(actual.deals) === JSON.stringify(expected.deals);
  }, timeoutMs);
  const [expected, actual] = await Promise.all([expectedMirror(system.control, orgId), actualMirror(system.database.db, accountId)]);
  expect(actual.contacts).toEqual(expected.contacts);
  expect(actual.deals).toEqual(expected.deals);
}

describe('a flaky Salesforce: 10% transient 503s, random latency, a session ending every 4 calls', () => {
  let org: TestOrg;
  const ACCOUNT = 'acct-proof-flaky';
  const EVERY = 4;

  beforeAll(async () => {
    org = await system.createOrg('production');
    await system.control.generateRecords(org.orgId, 'Account', 300, 41);
    await system.control.generateRecords(org.orgId, 'Contact', 5_000, 42);
    await system.control.generateRecords(org.orgId, 'Opportunity', 800, 43);
  });

  it('initial sync and later changes end equal to Salesforce, with one token request per ended session at most', async () => {
    await system.control.setFaults(org.orgId, { transientErrorRate: 0.1, latencyMs: 10, latencyJitterMs: 150, expireSessionEveryCalls: EVERY, seed: 14 });
    await connectThroughBrowser(system, ACCOUNT, 'production', org);
    await eventually(async () => (await system.status(ACCOUNT)).initialSync?.completedAt, 90_000);
    await expectMirrorEqual(ACCOUNT, org.orgId, 30_000);

    // Changes after the initial read arrive through incremental cycles under the same faults.
    const contacts = (await system.control.listRecords(org.orgId, 'Contact')).records.slice(0, 40);
    await system.control.updateRecords(org.orgId, 'Contact', contacts.slice(0, 30).map((contact) => ({ Id: contact.Id, Phone: '+1 555 0100' })));
    await system.control.deleteRecords(org.orgId, 'Contact', contacts.slice(30).map((contact) => contact.Id));
    await system.control.insertRecords(org.orgId, 'Contact', [{ FirstName: 'Flaky', LastName: 'Network', Email: 'flaky.network@acme.example' }]);
    await expectMirrorEqual(ACCOUNT, org.orgId, 45_000);

    await system.control.setFaults(org.orgId, {});
    const usage = await system.control.usage(org.orgId);
    const issued = await accessTokensIssued(org.orgId);
    // Sessions ended every EVERY calls, so refreshes happened; each ended session costs at most one refresh:
    // at most one per EVERY - 1 calls that succeeded, plus the first grant and slack for concurrent activities.
    expect(issued).toBeGreaterThanOrEqual(3);
    expect(issued).toBeLessThanOrEqual(Math.ceil(usage.total / (EVERY - 1)) + 3);
  }, 180_000);
});

describe('Postgres going away mid-sync (connections cut, new ones refused for 2 s, twice)', () => {
  let org: TestOrg;
  const ACCOUNT = 'acct-proof-pgrestart';

  beforeAll(async () => {
    org = await system.createOrg('production');
    await system.control.generateRecords(org.orgId, 'Account', 200, 51);
    await system.control.generateRecords(org.orgId, 'Contact', 12_000, 52);
    await system.control.generateRecords(org.orgId, 'Opportunity', 500, 53);
    // Slow pages so the outages land while the initial read is running.
    await system.control.setFaults(org.orgId, { latencyMs: 300 });
  });

  /** What a restart looks like to clients: every session cut, and new ones refused until it is back. */
  async function outage(database: string): Promise<void> {
    await sql`alter database ${sql.id(database)} allow_connections false`.execute(admin);
    try {
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`.execute(admin);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      await sql`alter database ${sql.id(database)} allow_connections true`.execute(admin);
    }
  }

  it('the initial sync finishes equal to Salesforce, without duplicates', async () => {
    const database = new URL(system.database.url).pathname.slice(1);
    await connectThroughBrowser(system, ACCOUNT, 'production', org);
    let outages = 0;
    for (let round = 0; round < 2; round++) {
      await eventually(async () => ((await system.status(ACCOUNT)).objects.Contact?.records ?? 0) > 2_000 * (round + 1), 60_000).catch(() => undefined);
      if ((await system.status(ACCOUNT)).initialSync?.completedAt) break;
      await outage(database);
      outages++;
    }
    expect(outages).toBeGreaterThanOrEqual(1);
    await system.control.setFaults(org.orgId, {});
    await eventually(async () => (await system.status(ACCOUNT)).initialSync?.completedAt, 120_000);
    await expectMirrorEqual(ACCOUNT, org.orgId, 30_000);
    const actual = await actualMirror(system.database.db, ACCOUNT);
    expect(new Set(actual.contacts.map((row) => row.salesforce_contact_id)).size).toBe(actual.contacts.length);
  }, 240_000);
});

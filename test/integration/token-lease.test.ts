import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

// A token refresh holds no lock and no pooled connection while it waits for Salesforce: the database
// may drop every connection meanwhile, and a hanging login host blocks nobody.

let system: TestSystem;
beforeAll(async () => {
  // Token calls give up after 8 s (a hanging login host), well before Temporal's activity timeouts.
  system = await startTestSystem({ SALESFORCE_HTTP_TIMEOUT: '8s' });
});
afterAll(async () => {
  await system?.control.setClock(0);
  await system?.stop();
});

const TWO_HOURS_AND_A_BIT = 2 * 60 * 60 * 1000 + 60_000;

async function connectionRow(accountId: string) {
  return system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
}

/** Connects and waits for the initial sync; the session then expires, so the next call refreshes. */
async function connectedWithExpiredSession(accountId: string, org: TestOrg, faults: { tokenLatencyMs: number }) {
  await connectThroughBrowser(system, accountId, 'production', org);
  await eventually(async () => (await system.status(accountId)).initialSync?.completedAt, 30_000);
  const before = await system.control.usage(org.orgId);
  await system.control.setFaults(org.orgId, faults);
  await system.control.setClock(TWO_HOURS_AND_A_BIT);
  // The refresh has reached Salesforce and is waiting there.
  await eventually(async () => (await system.control.usage(org.orgId)).tokenRequests > before.tokenRequests, 15_000);
  return before;
}

/** Drops every session on the test database but this one (what a Postgres restart does to the pools). */
async function terminateDatabaseSessions(): Promise<number> {
  const result = await sql<{ pid: number }>`
    select pg_terminate_backend(pid) as pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()`.execute(system.database.db);
  return result.rows.length;
}

/** Sessions sitting in an open transaction for over a second (a lock or pooled connection held across a wait). */
async function heldTransactions(): Promise<string[]> {
  const result = await sql<{ query: string }>`
    select query from pg_stat_activity
    where datname = current_database() and state like 'idle in transaction%' and state_change < now() - interval '1 second'`.execute(system.database.db);
  return result.rows.map((row) => row.query);
}

describe('token refresh lease', () => {
  it('the database dropping every connection while a refresh is in flight loses no token: the connection keeps syncing', async () => {
    const org = await system.createOrg('production');
    const row = await connectionRow('acct-db-drop').catch(() => undefined);
    expect(row).toBeUndefined();
    await connectedWithExpiredSession('acct-db-drop', org, { tokenLatencyMs: 3_000 });
    const generation = (await connectionRow('acct-db-drop')).token_generation;

    // Postgres loses every session while Salesforce works on the refresh, and again as it answers.
    const deadline = Date.now() + 4_000;
    let terminated = 0;
    while (Date.now() < deadline) {
      terminated += await terminateDatabaseSessions().catch(() => 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(terminated).toBeGreaterThan(0);
    await system.control.setFaults(org.orgId, {});

    // The rotated token was stored: a new record in Salesforce reaches the mirror.
    const stored = await eventually(async () => {
      const current = await connectionRow('acct-db-drop');
      return current.token_generation > generation ? current : undefined;
    }, 20_000);
    expect(stored).toMatchObject({ status: 'active', refresh_lease_owner: null, refresh_in_flight_since: null });
    await system.control.setClock(0);
    const created = await system.control.insertRecords(org.orgId, 'Contact', [{ LastName: 'After the outage', Email: 'after.outage@example.com' }]);
    await eventually(async () => {
      const mirrored = await system.database.db.selectFrom('contacts').select('salesforce_contact_id').where('account_id', '=', 'acct-db-drop').execute();
      return mirrored.some((contact) => contact.salesforce_contact_id === created.ids[0]);
    }, 30_000);
    const status = await system.status('acct-db-drop');
    expect(status.phase).not.toBe('disconnected');
    expect(status.error).toBeNull();
    const refreshTokens = (await system.control.tokens(org.orgId)).tokens.filter((t) => t.type === 'refresh');
    expect(refreshTokens.filter((t) => t.state === 'active')).toHaveLength(1);
    expect(refreshTokens.filter((t) => t.state === 'revoked')).toEqual([]);
  }, 90_000);

  it('a hanging token endpoint holds no transaction open and does not block disconnect', async () => {
    const org = await system.createOrg('production');
    await connectedWithExpiredSession('acct-hang', org, { tokenLatencyMs: 120_000 });
    // The refresh is waiting on Salesforce: no session sits in an open transaction meanwhile.
    for (let sample = 0; sample < 3; sample++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await heldTransactions()).toEqual([]);
    }

    const started = Date.now();
    const disconnecting = system.call('/api/integrations/salesforce/connections/acct-hang/production', { method: 'DELETE' });
    // The tokens are erased at once: nothing waits for the token call to end.
    await eventually(async () => (await connectionRow('acct-hang')).status === 'disconnected', 2_000);
    const response = await disconnecting;
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(await heldTransactions()).toEqual([]);
    const row = await connectionRow('acct-hang');
    expect(row).toMatchObject({ status: 'disconnected', refresh_token_ciphertext: null, access_token_ciphertext: null });
    await system.control.setFaults(org.orgId, {});
    await system.control.setClock(0);
  }, 60_000);
});

import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { createActivities } from '../../activities/index.js';
import { activityDependencies } from '../../activities/wiring.js';
import { createLogger } from '../../platform/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVault } from '../../platform/token-vault.js';
import { createDb } from '../../db/connect.js';
import { withSalesforce } from '../../salesforce/client.js';
import { TokenManager } from '../../salesforce/token-manager.js';
import { pauseSignal, resumeSignal } from '../../workflows/connection-contract.js';
import { connectionWorkflowId, type ConnectionStatus } from '../../domain/connection-status.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { recordHistories } from '../support/histories.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  // `RECORD_HISTORIES=1 npx vitest run test/integration/tokens.test.ts` refreshes the replay fixtures.
  if (process.env.RECORD_HISTORIES === '1' && system) await recordHistories(system);
  await system?.control.setClock(0);
  await system?.stop();
});

const TWO_HOURS_AND_A_BIT = 2 * 60 * 60 * 1000 + 60_000;

async function connectionRow(accountId: string) {
  return system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
}

async function finalStatus(accountId: string): Promise<ConnectionStatus> {
  const handle = system.temporal.workflow.getHandle(connectionWorkflowId(accountId, 'production'));
  return (await handle.result()) as ConnectionStatus;
}

async function quietFor(org: TestOrg, ms: number) {
  const before = await system.control.usage(org.orgId);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await system.control.usage(org.orgId);
  return { before, after };
}

describe('token refresh', () => {
  it('fifty concurrent calls with an expired session across two processes make exactly one token request', async () => {
    const org = await system.createOrg('production');
    await connectThroughBrowser(system, 'acct-fifty', 'production', org);
    const handle = system.temporal.workflow.getHandle(connectionWorkflowId('acct-fifty', 'production'));
    // Keep the workflow's own checks out of the count.
    await handle.signal(pauseSignal);
    await eventually(async () => (await handle.query<ConnectionStatus>('status')).phase === 'paused');

    const row = await connectionRow('acct-fifty');
    const vault = TokenVault.fromConfig(system.config);
    // Two "worker processes": separate pools, separate in-memory caches.
    const processes = [createDb(system.config.DATABASE_URL), createDb(system.config.DATABASE_URL)].map((db) => ({
      db,
      tokens: new TokenManager(db, vault, system.config),
    }));
    try {
      // Warm both caches with the current access token, then let it expire at Salesforce.
      await Promise.all(processes.map((p) => withSalesforce(p.tokens, row.id, (conn) => conn.limits())));
      await system.control.setClock(TWO_HOURS_AND_A_BIT);
      const before = await system.control.usage(org.orgId);

      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => withSalesforce(processes[i % 2]!.tokens, row.id, (conn) => conn.identity())),
      );
      const after = await system.control.usage(org.orgId);

      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(results.every((r) => r.status === 'fulfilled' && r.value.organization_id === org.orgId)).toBe(true);
      expect(after.tokenRequests - before.tokenRequests).toBe(1);
      expect(processes[0]!.tokens.refreshCount + processes[1]!.tokens.refreshCount).toBe(1);

      // Rotation: the new refresh token is stored (encrypted) and the old one is dead at Salesforce.
      const rotated = await connectionRow('acct-fifty');
      expect(rotated.refresh_token_ciphertext).not.toBe(row.refresh_token_ciphertext);
      expect(rotated.token_generation).toBe(row.token_generation + 1);
      const refreshTokens = (await system.control.tokens(org.orgId)).tokens.filter((t) => t.type === 'refresh');
      expect(refreshTokens.map((t) => t.state).sort()).toEqual(['active', 'rotated']);
      expect(refreshTokens.some((t) => t.state === 'expired' || t.state === 'revoked')).toBe(false);
    } finally {
      await system.control.setClock(0);
      await Promise.all(processes.map((p) => p.db.destroy()));
      await handle.signal(resumeSignal);
    }
  });
});

describe('token refresh through Temporal activities', () => {
  it('fifty concurrent activities on two workers, with an expired session, cause exactly one token request', async () => {
    const org = await system.createOrg('production');
    await connectThroughBrowser(system, 'acct-fifty-activities', 'production', org);
    const handle = system.temporal.workflow.getHandle(connectionWorkflowId('acct-fifty-activities', 'production'));
    await handle.signal(pauseSignal); // keep the connection's own sync out of the count
    await eventually(async () => (await handle.query<ConnectionStatus>('status')).phase === 'paused');
    const row = await connectionRow('acct-fifty-activities');

    // Two workers on their own task queue, each with its own database pool and token manager (as two processes would have).
    const taskQueue = `${system.config.TEMPORAL_TASK_QUEUE}-fan-out`;
    const logger = createLogger({ level: 'silent' });
    const pools = [createDb(system.config.DATABASE_URL), createDb(system.config.DATABASE_URL)];
    const connections = await Promise.all(pools.map(() => NativeConnection.connect({ address: system.config.TEMPORAL_ADDRESS })));
    const workers = await Promise.all(
      pools.map((db, i) =>
        Worker.create({
          connection: connections[i]!,
          taskQueue,
          workflowsPath: fileURLToPath(new URL('../fixtures/workflows/token-fan-out.ts', import.meta.url)),
          activities: createActivities(activityDependencies(system.config, db, logger)),
          maxConcurrentActivityTaskExecutions: 50,
        }),
      ),
    );
    try {
      await system.control.setClock(TWO_HOURS_AND_A_BIT); // every access token has expired at Salesforce
      const before = await system.control.usage(org.orgId);
      const fanOut = system.temporal.workflow.execute('tokenFanOutWorkflow', { taskQueue, workflowId: `fan-out-${row.id}`, args: [row.id, 50] });
      const results = (await workers[0]!.runUntil(workers[1]!.runUntil(fanOut))) as number[];
      const after = await system.control.usage(org.orgId);
      expect(results).toHaveLength(50);
      expect(after.tokenRequests - before.tokenRequests).toBe(1);
      const refreshTokens = (await system.control.tokens(org.orgId)).tokens.filter((t) => t.type === 'refresh');
      expect(refreshTokens.filter((t) => t.state === 'revoked' || t.state === 'expired')).toEqual([]);
    } finally {
      await system.control.setClock(0);
      await Promise.all(connections.map((connection) => connection.close()));
      await Promise.all(pools.map((db) => db.destroy()));
      await handle.signal(resumeSignal);
    }
  });
});

describe('ending a connection', () => {
  it('disconnect revokes at Salesforce, stops the workflow, erases tokens, and is idempotent', async () => {
    const org = await system.createOrg('production');
    await connectThroughBrowser(system, 'acct-bye', 'production', org);
    await eventually(async () => (await system.status('acct-bye')).apiUsage);

    const response = await system.call('/api/integrations/salesforce/connections/acct-bye/production', { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'disconnected' });

    const tokens = (await system.control.tokens(org.orgId)).tokens;
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.filter((t) => t.state === 'active')).toEqual([]);

    const final = await finalStatus('acct-bye');
    expect(final).toMatchObject({ phase: 'disconnected', endedReason: 'Disconnected from FastFollow', error: null });
    const row = await connectionRow('acct-bye');
    expect(row).toMatchObject({ status: 'disconnected', refresh_token_ciphertext: null, access_token_ciphertext: null });

    const again = await system.call('/api/integrations/salesforce/connections/acct-bye/production', { method: 'DELETE' });
    expect(again.status).toBe(200);
    const status = await system.status('acct-bye');
    expect(status.phase).toBe('disconnected');

    // Nothing calls the org any more (the poll interval is 1 s).
    const { before, after } = await quietFor(org, 3_000);
    expect(after.total).toBe(before.total);
    expect(after.tokenRequests).toBe(before.tokenRequests);
  });

  it('an admin-side revocation is noticed on the next call and ends the connection', async () => {
    const org = await system.createOrg('production');
    await connectThroughBrowser(system, 'acct-revoked', 'production', org);
    await eventually(async () => (await system.status('acct-revoked')).apiUsage);

    await system.control.revokeAll(org.orgId);
    const final = await finalStatus('acct-revoked');
    expect(final.phase).toBe('disconnected');
    expect(final.endedReason).toBe('Access revoked in Salesforce');
    expect(final.error).toMatchObject({ code: 'INVALID_GRANT' });
    expect(final.error?.fix).toContain('Reconnect');

    const row = await connectionRow('acct-revoked');
    expect(row).toMatchObject({ status: 'revoked', refresh_token_ciphertext: null, access_token_ciphertext: null });
    const status = await system.status('acct-revoked');
    expect(status).toMatchObject({ phase: 'disconnected', endedReason: 'Access revoked in Salesforce' });

    // No retry storm: no further token requests, no further API calls.
    const { before, after } = await quietFor(org, 3_000);
    expect(after.tokenRequests).toBe(before.tokenRequests);
    expect(after.total).toBe(before.total);
    expect(after.tokenRequests).toBeLessThanOrEqual(3); // code exchange + one refused refresh (+ at most one refresh)
  });
});

describe('secrets', () => {
  it('no issued refresh or access token appears in Postgres, logs or workflow histories', async () => {
    const orgIds = (await system.database.db.selectFrom('salesforce_connections').select('org_id').distinct().execute()).map((r) => r.org_id);
    expect(orgIds.length).toBeGreaterThanOrEqual(3);
    const issued = (await Promise.all(orgIds.map((orgId) => system.control.tokens(orgId)))).flatMap((r) => r.tokens.map((t) => t.token));
    expect(issued.length).toBeGreaterThanOrEqual(6);

    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(system.database.db);
    let databaseDump = '';
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ row: unknown }>`select row_to_json(t) as row from ${sql.table(table_name)} t`.execute(system.database.db);
      databaseDump += JSON.stringify(rows.rows);
    }
    expect(databaseDump).toContain('salesforce'); // the dump really has content

    let histories = '';
    for await (const execution of system.temporal.workflow.list({ query: `WorkflowType = "connectionWorkflow"` })) {
      const history = await system.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      histories += JSON.stringify(history, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
    }
    expect(histories).toContain('acct-bye');

    const logs = system.logs.join('\n');
    expect(logs).toContain('Salesforce connected');
    expect(logs).toContain('Worker state changed'); // the SDK's own lines are in the same stream
    expect(logs).toContain('"path":"/api/integrations/salesforce/callback"'); // access log, without its query
    expect(logs).not.toMatch(/[?&]code=/);

    for (const token of issued) {
      expect(databaseDump.includes(token), 'token found in Postgres').toBe(false);
      expect(histories.includes(token), 'token found in a workflow history').toBe(false);
      expect(logs.includes(token), 'token found in the logs').toBe(false);
    }
  });
});

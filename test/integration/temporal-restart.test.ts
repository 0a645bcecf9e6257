import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/free-port.js';
import { startTemporalDevServer, type DevServer } from '../../dev/temporal-server.js';
import { actualMirror, expectedMirror } from '../support/mirror.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

// Resilience, fast variant: the Temporal server (the dev server, file-backed like a real one keeps its
// state) stops in the middle of the initial sync and comes back from its database file on the same
// port. The worker and the API reconnect by themselves; the sync continues where its history says,
// reusing the Bulk job it had created, and ends equal to Salesforce.

const ACCOUNT = 'acct-proof2-temporal-restart';
let folder: string;
let port: number;
let temporal: DevServer | undefined;
let system: TestSystem;
let org: TestOrg;

const startTemporal = () => startTemporalDevServer({ port, dbFilename: path.join(folder, 'temporal.db') });

beforeAll(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'fastfollow-temporal-restart-'));
  port = await freePort();
  temporal = await startTemporal();
  system = await startTestSystem({ TEMPORAL_ADDRESS: temporal.address });
  org = await system.createOrg('production');
  await system.control.generateRecords(org.orgId, 'Account', 200, 51);
  // Above SYNC_BULK_MIN_RECORDS: contacts are read through one Bulk job, which must not be created twice.
  await system.control.generateRecords(org.orgId, 'Contact', 12_000, 52);
  await system.control.generateRecords(org.orgId, 'Opportunity', 500, 53);
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await temporal?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const bulkJobsCreated = (byEndpoint: Record<string, number>) =>
  Object.entries(byEndpoint).reduce((sum, [endpoint, n]) => (/^POST .*\/jobs\/query$/.test(endpoint) ? sum + n : sum), 0);

describe('the Temporal server restarted mid-sync', () => {
  it('the initial sync completes equal to Salesforce, with one Bulk job and no storm of token requests', async () => {
    // Slow calls, so the restart lands while the sync is still reading.
    await system.control.setFaults(org.orgId, { latencyMs: 250, latencyJitterMs: 50, seed: 7 });
    await connectThroughBrowser(system, ACCOUNT, 'production', org);
    // Mid-sync: the accounts are in, the contacts' Bulk job is asked for.
    await eventually(async () => {
      const status = await system.status(ACCOUNT);
      return status.phase === 'initial_sync' && (status.objects.Account?.records ?? 0) > 0;
    }, 60_000);
    await temporal!.stop();
    temporal = undefined;
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the worker's polls fail meanwhile
    temporal = await startTemporal();
    const restartedAt = Date.now();
    await system.control.setFaults(org.orgId, {});

    const done = await eventually(async () => (await system.status(ACCOUNT)).initialSync?.completedAt, 90_000);
    // The restart was mid-sync: the read finished after the server came back.
    expect(Date.parse(done)).toBeGreaterThan(restartedAt - 2_000);
    await eventually(async () => {
      const [expected, actual] = await Promise.all([expectedMirror(system.control, org.orgId), actualMirror(system.database.db, ACCOUNT)]);
      return JSON.stringify(actual.contacts) === JSON.stringify(expected.contacts) && JSON.stringify(actual.deals) === JSON.stringify(expected.deals);
    }, 30_000);
    const [expected, actual] = await Promise.all([expectedMirror(system.control, org.orgId), actualMirror(system.database.db, ACCOUNT)]);
    expect(actual.contacts).toHaveLength(12_000);
    expect(actual.contacts).toEqual(expected.contacts);
    expect(actual.deals).toEqual(expected.deals);

    const usage = await system.control.usage(org.orgId);
    expect(bulkJobsCreated(usage.byEndpoint)).toBe(1);
    const { tokens } = await system.control.tokens(org.orgId);
    const issued = tokens.filter((token) => token.type === 'access' && token.clientId === system.config.SALESFORCE_CLIENT_ID).length;
    // The grant's token, and at most a couple of refreshes: a restart is not a reason to ask again.
    expect(issued).toBeLessThanOrEqual(3);
  }, 180_000);
});

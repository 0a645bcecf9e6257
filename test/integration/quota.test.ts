import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../domain/connection-status.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { followupStatus, postFollowup } from '../support/followups.js';
import { saveHistory } from '../support/histories.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

// The org's daily API quota, shared with the customer's other tools: the integration's allocation,
// durable quota backoff, off-hours windows for heavy work, and support's view of it — against the
// emulator's limits, usage counters and clock, with the real worker, Temporal and Postgres.

let system: TestSystem;
beforeAll(async () => {
  // REST only (no Bulk), so an initial read's calls are its pages: easy to count against a small limit.
  system = await startTestSystem({ SYNC_BULK_MIN_RECORDS: '10000000' });
});
afterAll(() => system?.stop());

type QuotaAnswer = ConnectionStatus & { nextWindowStart: { utc: string; local: string } | null };

async function supportPost(accountId: string, path: 'schedule' | 'allocation', body: unknown): Promise<{ status: number; body: QuotaAnswer & { error?: { code: string; message: string } } }> {
  const response = await fetch(`${system.apiUrl}/api/support/connections/${accountId}/production/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${system.config.SUPPORT_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as QuotaAnswer & { error?: { code: string; message: string } } };
}

async function health(accountId: string) {
  const response = await fetch(`${system.apiUrl}/api/support/connections/${accountId}/production/health`, { headers: { authorization: `Bearer ${system.config.SUPPORT_TOKEN}` } });
  return (await response.json()) as { quota: { integrationCalls24h: number; allowedCalls: number | null; orgLimit: number | null; orgUsed: number | null; orgRemaining: number | null }; waiting: ConnectionStatus['waiting']; schedule: ConnectionStatus['schedule']; progress: { objects: ConnectionStatus['objects'] } };
}

const statusWhere = (accountId: string, check: (s: ConnectionStatus) => boolean, timeoutMs = 30_000) =>
  eventually(async () => {
    const current = await system.status(accountId);
    return check(current) ? current : undefined;
  }, timeoutMs);

/** Disconnects, then keeps the workflow's history as a replay fixture (RECORD_HISTORIES=1). */
async function disconnectAndRecord(accountId: string, fixture: string): Promise<void> {
  expect((await system.call(`/api/integrations/salesforce/connections/${accountId}/production`, { method: 'DELETE' })).status).toBe(200);
  await saveHistory(fixture, await system.temporal.workflow.getHandle(`salesforce-connection:${accountId}:production`).fetchHistory());
}

const ourCalls = async (orgId: string) => (await system.control.usage(orgId)).byClient[system.config.SALESFORCE_CLIENT_ID!] ?? 0;

/** "HH:MM:SS" in UTC, `ms` from now. */
const utcTime = (ms: number) => new Date(Date.now() + ms).toISOString().slice(11, 19);

/** An org whose first Contact is a known person (read first), then `contacts` generated ones. */
async function orgWith(options: { dailyApiLimit?: number; contacts: number }): Promise<{ org: TestOrg; email: string }> {
  const org = await system.createOrg('production', options.dailyApiLimit ? { dailyApiLimit: options.dailyApiLimit } : {});
  const email = `known.${org.orgId}@customer.example`;
  await system.control.insertRecords(org.orgId, 'Contact', [{ FirstName: 'Known', LastName: 'Person', Email: email }]);
  await system.control.generateRecords(org.orgId, 'Contact', options.contacts, 7);
  return { org, email };
}

describe('API quota: allocation, backoff, off-hours windows', () => {
  it('validates schedule and allocation bodies with the field and the reason', async () => {
    const { org } = await orgWith({ contacts: 10 });
    await connectThroughBrowser(system, 'quota-validation', 'production', org);
    await statusWhere('quota-validation', (s) => s.initialSync?.completedAt != null);
    const badZone = await supportPost('quota-validation', 'schedule', { window: { start: '01:00', end: '05:00', timezone: 'Mars/Olympus' } });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error?.message).toMatch(/window.*not an IANA time zone/);
    expect((await supportPost('quota-validation', 'allocation', { share: 1.5 })).body.error?.message).toMatch(/share 1.5 must be more than 0 and at most 1/);

    const set = await supportPost('quota-validation', 'schedule', { window: { start: '01:00', end: '05:00', timezone: 'America/New_York', days: ['sat', 'sun'] } });
    expect(set.status).toBe(200);
    expect(set.body.schedule?.window).toMatchObject({ timezone: 'America/New_York' });
    expect(set.body.nextWindowStart?.local).toMatch(/T01:00:00\.000-0[45]:00$/);
    expect(new Date(set.body.nextWindowStart!.utc).getUTCDay()).toBeOneOf([6, 0]);
    const allocated = await supportPost('quota-validation', 'allocation', { dailyCalls: 1234 });
    expect(allocated.body.allocation).toMatchObject({ dailyCalls: 1234, allowedCalls: 1234 });
    expect((await supportPost('quota-validation', 'schedule', { window: null })).body.nextWindowStart).toBeNull();
    expect((await supportPost('quota-nobody', 'schedule', { window: null })).status).toBe(404);

    // The OpenAPI document describes both bodies (support tools build their forms from it).
    const document = (await (await fetch(`${system.apiUrl}/api/openapi.json`)).json()) as { paths: Record<string, { post?: { requestBody?: unknown } }>; components: { schemas: Record<string, unknown> } };
    const body = (path: string) => JSON.stringify(document.paths[`/api/support/connections/{accountId}/{environment}/${path}`]?.post?.requestBody ?? null);
    expect(body('schedule')).toContain('#/components/schemas/ScheduleRequest');
    expect(body('allocation')).toContain('#/components/schemas/AllocationRequest');
    expect(JSON.stringify(document.components.schemas.ScheduleRequest)).toContain('#/components/schemas/OffHoursWindow');
    expect(JSON.stringify(document.components.schemas.OffHoursWindow)).toMatch(/timezone.*days/);
    expect(JSON.stringify(document.components.schemas.AllocationRequest)).toMatch(/share.*dailyCalls/);
  });

  it('an initial sync refused by an exhausted daily limit backs off (few refused calls), and completes with all records when quota returns', async () => {
    const { org } = await orgWith({ dailyApiLimit: 1_000, contacts: 9_999 });
    await system.control.setFaults(org.orgId, { latencyMs: 400 });
    await connectThroughBrowser(system, 'quota-exhausted', 'production', org);
    await statusWhere('quota-exhausted', (s) => (s.objects.Contact?.records ?? 0) > 0);
    // Other tools spend what is left of the day: the sync's next call is refused.
    const usage = await system.control.usage(org.orgId);
    await system.control.spendOtherTools(org.orgId, usage.limit - usage.total);
    const backingOff = await statusWhere('quota-exhausted', (s) => s.phase === 'backing_off' && s.waiting?.kind === 'backoff');
    expect(backingOff.error).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED' });
    expect(Date.parse(backingOff.waiting!.until)).toBeGreaterThan(Date.now());
    const refused = (await system.control.usage(org.orgId)).refused;
    expect(refused).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await system.control.usage(org.orgId)).refused).toBe(refused); // a durable timer, not retries

    // A day later the quota is back; resume cuts the (minutes-long) backoff timer short.
    await system.control.setClock(25 * 60 * 60 * 1000);
    await system.control.setFaults(org.orgId, {});
    try {
      expect((await system.support('quota-exhausted', 'resume')).status).toBe(200);
      const synced = await statusWhere('quota-exhausted', (s) => s.initialSync?.completedAt != null, 60_000);
      expect(synced.objects.Contact?.records).toBe(10_000);
      expect(synced.error).toBeNull();
      expect((await system.control.usage(org.orgId)).refused).toBeLessThanOrEqual(2);
      await disconnectAndRecord('quota-exhausted', 'v7-quota-backoff-resume');
    } finally {
      await system.control.setClock(0);
    }
  }, 120_000);

  it('with a 50% allocation and another tool spending the rest, the sync stays inside its allocation and Tasks are still logged', async () => {
    const { org, email } = await orgWith({ dailyApiLimit: 30, contacts: 29_999 });
    await system.control.spendOtherTools(org.orgId, 15);
    await connectThroughBrowser(system, 'quota-allocation', 'production', org);
    const held = await statusWhere('quota-allocation', (s) => s.phase === 'backing_off' && s.waiting?.kind === 'budget', 60_000);
    // Whichever comes first: the allocation, or the org's safety margin (5 % of 30) with the other tool's use.
    expect(held.waiting?.reason).toMatch(/of its 15 calls allocated|of 30 daily API calls left/);
    expect(held.plan?.reason).toMatch(/spread over/);
    expect(held.initialSync?.completedAt).toBeNull();

    const posted = await postFollowup(system, { followupId: 'quota-allocation-f1', accountId: 'quota-allocation', contactEmail: email, sentAt: new Date().toISOString(), subject: 'Checking in' });
    expect(posted.status).toBe(202);
    await eventually(async () => (await followupStatus(system, 'quota-allocation-f1')).status === 'logged', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await ourCalls(org.orgId)).toBeLessThanOrEqual(15);
    expect((await system.control.usage(org.orgId)).refused).toBe(0);

    // The health figures are the emulator's own counters.
    const figures = await health('quota-allocation');
    const usage = await system.control.usage(org.orgId);
    expect(figures.quota.integrationCalls24h).toBe(usage.byClient[system.config.SALESFORCE_CLIENT_ID!]);
    expect(figures.quota).toMatchObject({ allowedCalls: 15, orgLimit: 30, orgUsed: usage.total, orgRemaining: 30 - usage.total });
    expect(figures.waiting?.kind).toBe('budget');
  }, 120_000);

  it('a 20-second window confines the initial sync to it, which completes over two windows; Tasks and incremental reads go on outside', async () => {
    const { org, email } = await orgWith({ contacts: 23_999 });
    // Each call takes ~2.5 s: 12 Contact pages do not fit one 20-second window.
    await system.control.setFaults(org.orgId, { latencyMs: 2_500 });
    await connectThroughBrowser(system, 'quota-window', 'production', org);
    const first = await supportPost('quota-window', 'schedule', { window: { start: utcTime(8_000), end: utcTime(28_000), timezone: 'UTC' } });
    expect(first.status).toBe(200);
    const opensAt = Date.parse(first.body.nextWindowStart!.utc);
    const waiting = await statusWhere('quota-window', (s) => s.phase === 'waiting_offhours');
    expect(waiting.waiting?.until).toBe(first.body.nextWindowStart!.utc);
    const beforeWindow = waiting.objects.Contact?.records ?? 0;

    // Inside the window the read goes on; when it closes, it stops at a page boundary.
    await statusWhere('quota-window', (s) => s.phase === 'initial_sync' && (s.objects.Contact?.records ?? 0) > beforeWindow, 30_000);
    expect(Date.now()).toBeGreaterThanOrEqual(opensAt);
    const closed = await statusWhere('quota-window', (s) => s.phase === 'waiting_offhours' && Date.now() > opensAt + 20_000, 40_000);
    expect(closed.initialSync?.completedAt).toBeNull();
    const stoppedAt = closed.objects.Contact?.records ?? 0;

    // Outside the window a Task is logged, and no heavy page runs.
    await postFollowup(system, { followupId: 'quota-window-f1', accountId: 'quota-window', contactEmail: email, sentAt: new Date().toISOString(), subject: 'Between windows' });
    await eventually(async () => (await followupStatus(system, 'quota-window-f1')).status === 'logged', 30_000);
    expect((await system.status('quota-window')).objects.Contact?.records).toBe(stoppedAt);

    // The next window: the read continues where it stopped and completes.
    await system.control.setFaults(org.orgId, {});
    // (Longer than 20 s only so a loaded machine surely finishes inside it; it ends as soon as the read does.)
    await supportPost('quota-window', 'schedule', { window: { start: utcTime(1_000), end: utcTime(60_000), timezone: 'UTC' } });
    const done = await statusWhere('quota-window', (s) => s.initialSync?.completedAt != null, 60_000);
    expect(done.objects.Contact?.records).toBe(24_000);

    // Incremental reads are light work: they run while the window is closed.
    const closedAgain = await supportPost('quota-window', 'schedule', { window: { start: utcTime(3_600_000), end: utcTime(3_700_000), timezone: 'UTC' } });
    expect(closedAgain.body.schedule?.open).toBe(false);
    const accounts = closedAgain.body.objects.Account?.records ?? 0;
    await system.control.insertRecords(org.orgId, 'Account', [{ Name: 'Created outside the window' }]);
    const caughtUp = await statusWhere('quota-window', (s) => s.objects.Account?.records === accounts + 1, 30_000);
    expect(caughtUp.phase).toBe('incremental');
    await disconnectAndRecord('quota-window', 'v7-quota-offhours-window');
  }, 150_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_DESCRIPTION_LIMIT } from '../../domain/followup-task.js';
import { collectionCreates, connectTaskOrg, followupStatus, postFollowup, settled, tasksByFollowup, type FollowupBody, type TaskOrg } from '../support/followups.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

// Follow-ups logged as Salesforce Tasks through the real API, workflow, worker and emulator.
// The poll interval is long: after the initial read nothing is re-read, so a contact deleted in
// Salesforce is still in FastFollow's mirror when its follow-up is sent.

let system: TestSystem;
let la: TaskOrg;
let tokyo: TaskOrg;

beforeAll(async () => {
  system = await startTestSystem({ SYNC_POLL_INTERVAL: '1h', FOLLOWUP_CONTACT_WAIT: '3s' });
  [la, tokyo] = await Promise.all([
    connectTaskOrg(system, 'acct-tasks-la', { timezone: 'America/Los_Angeles', contacts: 1_000 }),
    connectTaskOrg(system, 'acct-tasks-tokyo', { timezone: 'Asia/Tokyo', contacts: 5 }),
  ]);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const followup = (org: TaskOrg, id: string, overrides: Partial<FollowupBody> = {}): FollowupBody => ({
  followupId: id,
  accountId: org.accountId,
  contactEmail: org.contactEmails[0]!,
  sentAt: '2025-03-01T23:30:00Z',
  subject: `Following up (${id})`,
  body: 'Hi, just checking in.',
  ...overrides,
});

describe('POST /api/followups input', () => {
  it('refuses bad input naming the field, and an account without a connection with 409 NOT_CONNECTED, storing nothing', async () => {
    const bad = await postFollowup(system, { ...followup(la, 'fu-bad'), sentAt: 'yesterday', contactEmail: 'not-an-email' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error?.fields?.map((f) => f.path).sort()).toEqual(['contactEmail', 'sentAt']);

    const unknownDeal = await postFollowup(system, followup(la, 'fu-bad-deal', { dealId: '00000000-0000-0000-0000-000000000000' }));
    expect(unknownDeal.status).toBe(400);
    expect(unknownDeal.body.error?.fields?.[0]?.path).toBe('dealId');

    const notConnected = await postFollowup(system, followup(la, 'fu-nobody', { accountId: 'acct-never-connected' }));
    expect(notConnected.status).toBe(409);
    expect(notConnected.body.error?.code).toBe('NOT_CONNECTED');
    expect(notConnected.body.error?.fix).toBeTruthy();
    const stored = await system.database.db.selectFrom('followups').select('id').where('id', 'in', ['fu-bad', 'fu-bad-deal', 'fu-nobody']).execute();
    expect(stored).toEqual([]);
    expect((await system.call('/api/followups/fu-nobody')).status).toBe(404);
  });
});

describe('Tasks', () => {
  it('1,000 follow-ups posted concurrently, 100 of them twice: exactly 1,000 Tasks with the right links, in at most 10 collection calls', async () => {
    const before = collectionCreates(await system.control.usage(la.org.orgId));
    const bodies = la.contactEmails.map((email, i) =>
      followup(la, `fu-bulk-${i}`, {
        contactEmail: email.toUpperCase(), // emails match case-insensitively
        sentAt: new Date(Date.UTC(2025, 2, 1, 12 + (i % 12), 0)).toISOString(),
        ...(i % 4 === 0 ? { dealId: la.deals[i % la.deals.length]!.id } : {}),
        ...(i % 3 === 0 ? { senderEmail: la.rep.email } : {}),
        ...(i % 7 === 0 ? { senderEmail: 'nobody@seller.example' } : {}),
      }),
    );
    const answers = await Promise.all([...bodies, ...bodies.slice(0, 100)].map((body) => postFollowup(system, body)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const ids = bodies.map((b) => b.followupId);
    const results = await settled(system, ids, 90_000);
    expect([...results.values()].filter((r) => r.status !== 'logged')).toEqual([]);

    const tasks = await tasksByFollowup(system, la.org.orgId);
    expect(tasks.duplicates).toEqual([]);
    expect(tasks.total).toBe(1_000);
    for (const [i, body] of bodies.entries()) {
      const task = tasks.byFollowup.get(body.followupId)!;
      expect(results.get(body.followupId)?.salesforceTaskId).toBe(task.Id);
      expect(task).toMatchObject({
        Subject: body.subject,
        Status: 'Completed',
        TaskSubtype: 'Email',
        WhoId: la.contactIds.get(la.contactEmails[i]!),
        WhatId: body.dealId ? la.deals.find((d) => d.id === body.dealId)!.opportunityId : null,
        OwnerId: body.senderEmail === la.rep.email ? la.rep.userId : la.org.userId,
        ActivityDate: '2025-03-01', // 12:00–23:00 UTC is the same day in Los Angeles
      });
    }
    const calls = collectionCreates(await system.control.usage(la.org.orgId)) - before;
    expect(calls).toBeLessThanOrEqual(10);
    expect(calls).toBeGreaterThanOrEqual(5);
  }, 180_000);

  it('1,000 follow-ups posted over 10 s (100 a second, as a busy app or API delivers a burst) still go in full batches: at most 7 collection calls', async () => {
    const before = collectionCreates(await system.control.usage(la.org.orgId));
    const ids: string[] = [];
    for (let tick = 0; tick < 100; tick++) {
      const bodies = la.contactEmails.slice(tick * 10, tick * 10 + 10).map((email, i) => followup(la, `fu-paced-${tick * 10 + i}`, { contactEmail: email }));
      ids.push(...bodies.map((body) => body.followupId));
      const started = Date.now();
      await Promise.all(bodies.map((body) => postFollowup(system, body)));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - started))));
    }
    const results = await settled(system, ids, 90_000);
    expect([...results.values()].filter((r) => r.status !== 'logged')).toEqual([]);
    const calls = collectionCreates(await system.control.usage(la.org.orgId)) - before;
    // 200 per call is 5; a batch every flush delay (500 ms, before patch followup-batch-fills-while-busy) made 10.
    expect(calls).toBeLessThanOrEqual(7);
  }, 180_000);

  it("dates the Task in the org's time zone: 23:30 UTC is the next day in Tokyo and the same day in Los Angeles", async () => {
    await postFollowup(system, followup(tokyo, 'fu-tz-tokyo', { contactEmail: tokyo.contactEmails[1]! }));
    await postFollowup(system, followup(la, 'fu-tz-la', { contactEmail: la.contactEmails[1]! }));
    await settled(system, ['fu-tz-tokyo', 'fu-tz-la']);
    expect((await tasksByFollowup(system, tokyo.org.orgId)).byFollowup.get('fu-tz-tokyo')?.ActivityDate).toBe('2025-03-02');
    expect((await tasksByFollowup(system, la.org.orgId)).byFollowup.get('fu-tz-la')?.ActivityDate).toBe('2025-03-01');
  });

  it('cuts a body longer than Salesforce allows, with a marker', async () => {
    await postFollowup(system, followup(tokyo, 'fu-long', { body: 'x'.repeat(40_000) }));
    await settled(system, ['fu-long']);
    const description = (await tasksByFollowup(system, tokyo.org.orgId)).byFollowup.get('fu-long')?.Description as string;
    expect(description.length).toBe(TASK_DESCRIPTION_LIMIT);
    expect(description).toContain('shortened by FastFollow');
  });

  it('a contact deleted in Salesforce fails its follow-up with a clear error; the rest of the batch is logged', async () => {
    const deletedEmail = tokyo.contactEmails[2]!;
    await system.control.deleteRecords(tokyo.org.orgId, 'Contact', [tokyo.contactIds.get(deletedEmail)!]);
    const ids = ['fu-del-1', 'fu-del-gone', 'fu-del-2'];
    await Promise.all([
      postFollowup(system, followup(tokyo, ids[0]!, { contactEmail: tokyo.contactEmails[3]! })),
      postFollowup(system, followup(tokyo, ids[1]!, { contactEmail: deletedEmail })),
      postFollowup(system, followup(tokyo, ids[2]!, { contactEmail: tokyo.contactEmails[4]! })),
    ]);
    const results = await settled(system, ids);
    expect(results.get('fu-del-1')?.status).toBe('logged');
    expect(results.get('fu-del-2')?.status).toBe('logged');
    const failed = results.get('fu-del-gone')!;
    expect(failed.status).toBe('failed');
    expect(failed.salesforceTaskId).toBeUndefined();
    expect(failed.error?.code).toBe('ENTITY_IS_DELETED');
    expect(failed.error?.message).toMatch(/deleted/);
    expect(failed.error?.fix).toMatch(/recycle bin/);
  });

  it('a contact that is not in Salesforce waits, then fails with CONTACT_NOT_IN_SALESFORCE', async () => {
    const posted = await postFollowup(system, followup(tokyo, 'fu-nocontact', { contactEmail: 'stranger@elsewhere.example' }));
    expect(posted.body.status).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await followupStatus(system, 'fu-nocontact')).status).toBe('pending'); // still within the 3 s wait
    const result = (await settled(system, ['fu-nocontact'])).get('fu-nocontact')!;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('CONTACT_NOT_IN_SALESFORCE');
  });

  it('the same followupId posted again answers the same follow-up and creates no second Task', async () => {
    const first = await postFollowup(system, followup(tokyo, 'fu-again', { contactEmail: tokyo.contactEmails[0]! }));
    expect(first.status).toBe(202);
    const logged = (await settled(system, ['fu-again'])).get('fu-again')!;
    const again = await postFollowup(system, followup(tokyo, 'fu-again', { contactEmail: tokyo.contactEmails[0]!, subject: 'changed' }));
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ status: 'logged', salesforceTaskId: logged.salesforceTaskId });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const tasks = await tasksByFollowup(system, tokyo.org.orgId);
    expect(tasks.duplicates).toEqual([]);
    expect(tasks.byFollowup.get('fu-again')?.Subject).toBe('Following up (fu-again)');
  });

  it('a response lost after Salesforce committed the Tasks: still exactly one Task per follow-up', async () => {
    await system.control.setFaults(tokyo.org.orgId, { dropResponseAfterCommit: { method: 'POST', path: 'composite/sobjects', times: 1 } });
    const ids = ['fu-lost-1', 'fu-lost-2', 'fu-lost-3'];
    await Promise.all(ids.map((id, i) => postFollowup(system, followup(tokyo, id, { contactEmail: tokyo.contactEmails[i === 2 ? 4 : i]! }))));
    const results = await settled(system, ids);
    await system.control.setFaults(tokyo.org.orgId, {});
    const tasks = await tasksByFollowup(system, tokyo.org.orgId);
    expect(tasks.duplicates).toEqual([]);
    for (const id of ids) {
      expect(results.get(id)).toMatchObject({ status: 'logged', salesforceTaskId: tasks.byFollowup.get(id)?.Id });
    }
    // The lost answer was reconciled with one query of the Tasks, not a second create.
    const usage = await system.control.usage(tokyo.org.orgId);
    expect(Object.keys(usage.byEndpoint).some((endpoint) => endpoint.includes('query'))).toBe(true);
  });
});

describe('while a long initial-sync page is read', () => {
  it('a posted follow-up is logged within 5 s', async () => {
    const org = await system.createOrg('production', { timezone: 'Europe/Paris' });
    const { ids: [contactId] } = await system.control.insertRecords(org.orgId, 'Contact', [{ LastName: 'Solo', Email: 'solo@customer.example' }]);
    // Seed the mirror first (a quick initial read), then make every read call slow and start a re-read.
    await connectThroughBrowser(system, 'acct-tasks-slow', 'production', org);
    // …and its first incremental cycle, so nothing is in flight when the reads turn slow.
    await eventually(async () => {
      const status = await system.status('acct-tasks-slow');
      return status.initialSync?.completedAt && status.lastSyncAt && status.lastSyncAt > status.initialSync.completedAt;
    }, 60_000);
    await system.control.setFaults(org.orgId, { latencyMs: 30_000 });
    expect((await system.support('acct-tasks-slow', 'resync')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the first page is now held for 30 s
    await system.control.setFaults(org.orgId, {}); // new calls are fast again; the page in flight stays held
    const posted = Date.now();
    await postFollowup(system, { followupId: 'fu-during-page', accountId: 'acct-tasks-slow', contactEmail: 'solo@customer.example', sentAt: new Date().toISOString(), subject: 'Hello' });
    const result = (await settled(system, ['fu-during-page'], 5_000)).get('fu-during-page')!;
    expect(Date.now() - posted).toBeLessThan(5_000);
    expect(result.status).toBe('logged');
    expect((await system.status('acct-tasks-slow')).initialSync?.completedAt).toBeNull(); // the page is still being read
    expect((await tasksByFollowup(system, org.orgId)).byFollowup.get('fu-during-page')?.WhoId).toBe(contactId);
  }, 90_000);
});

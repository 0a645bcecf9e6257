import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTaskOrg, pendingBatches, postFollowup, settled, tasksByFollowup, type TaskOrg } from '../support/followups.js';
import { eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { startWorkerProcess } from '../support/worker-process.js';

// Worker processes SIGKILLed while a batch of Tasks is being sent: Salesforce (the emulator, whose
// latency fault holds each call) still commits the batch after the worker died, and nobody hears the
// answer. The next worker must reconcile that batch instead of sending it again.

let system: TestSystem;
let org: TaskOrg;
const workers: ChildProcess[] = [];
const FOLLOWUPS = 300;

beforeAll(async () => {
  // A short HTTP timeout bounds how long a batch whose worker died counts as possibly in flight.
  system = await startTestSystem({ SYNC_POLL_INTERVAL: '1h', SALESFORCE_HTTP_TIMEOUT: '4s' }, { worker: false });
  await startWorkerProcess(system, workers);
  org = await connectTaskOrg(system, 'acct-tasks-crash', { timezone: 'America/New_York', contacts: FOLLOWUPS });
}, 180_000);

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await system?.stop();
});

describe('Task logging crash safety', () => {
  it('workers SIGKILLed during Task logging: still exactly one Task per follow-up', async () => {
    await system.control.setFaults(org.org.orgId, { latencyMs: 1_500 });
    const ids = org.contactEmails.map((_, i) => `fu-crash-${i}`);
    const answers = await Promise.all(
      org.contactEmails.map((email, i) => postFollowup(system, { followupId: ids[i]!, accountId: org.accountId, contactEmail: email, sentAt: new Date().toISOString(), subject: `Crash ${i}` })),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);

    let kills = 0;
    for (let round = 0; round < 2; round++) {
      // A batch is marked as sending right before its call: kill the worker while that call is held.
      const marked = await eventually(async () => (await pendingBatches(system.database.db, ids)) > 0, 60_000).catch(() => false);
      if (!marked) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
      workers.at(-1)!.kill('SIGKILL');
      kills++;
      await startWorkerProcess(system, workers);
    }
    expect(kills).toBeGreaterThanOrEqual(1);

    const results = await settled(system, ids, 150_000);
    expect([...results.values()].filter((r) => r.status !== 'logged')).toEqual([]);
    const tasks = await tasksByFollowup(system, org.org.orgId);
    expect(tasks.duplicates).toEqual([]);
    expect(tasks.total).toBe(FOLLOWUPS);
    for (const id of ids) expect(results.get(id)?.salesforceTaskId).toBe(tasks.byFollowup.get(id)?.Id);
  }, 240_000);
});

import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../worker/create-worker.js';
import { loadHistories } from '../support/histories.js';

// Histories recorded from real runs (see tokens.test.ts, RECORD_HISTORIES=1): today's workflow code
// must replay them exactly, or a deploy would break connections that are running. Changes use patched().
describe('workflow replay over recorded histories', () => {
  const histories = loadHistories();

  it('has recorded histories to replay', () => {
    // Before the sync cycle (v1: a bare connection check per poll), after it (patched 'salesforce-sync-cycle'),
    // and v3 (settings from the worker, support Updates, pending commands carried across continueAsNew;
    // recorded by workflow-logic.test.ts with RECORD_HISTORIES=1), and v4 (a disconnect cancelling the page in flight).
    expect(histories.map((h) => h.workflowId)).toEqual(
      expect.arrayContaining([
        'v1-connection-check_salesforce-connection_acct-bye_production.binpb',
        'v1-connection-check_salesforce-connection_acct-revoked_production.binpb',
        'salesforce-connection_acct-bye_production.binpb',
        'salesforce-connection_acct-revoked_production.binpb',
        'v3-updates-resync-pause-disconnect.binpb',
        'v3-continue-as-new-carrying-resync.binpb',
        'v4-disconnect-cancels-page.binpb',
        // Quota management (patch quota-windows-allocation; recorded by quota.test.ts): a quota backoff
        // cut short by resume, and an initial read confined to off-hours windows set by Updates.
        'v7-quota-backoff-resume.binpb',
        'v7-quota-offhours-window.binpb',
        // The write-back lane joining the quota episode (patch write-back-joins-quota-episode; quota-logic.test.ts).
        'v8-write-back-quota-episode.binpb',
        // Interleaved Bulk waits (workflow-bulk-wait.test.ts), and the initial read's plan as its own step (patch initial-read-plan-step).
        'v9-initial-read-interleaved.binpb',
        'v10-initial-read-plan-step.binpb',
        // The write lane's batch collection while a burst arrives (patch followup-batch-fills-while-busy; write-lane-logic.test.ts).
        'v11-write-lane-busy-burst.binpb',
      ]),
    );
  });

  it('replays every recorded connection workflow without non-determinism', async () => {
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'connection-workflow' }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});

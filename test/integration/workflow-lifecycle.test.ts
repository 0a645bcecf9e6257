import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { startWorker } from '../../worker/run-worker.js';
import { statusQuery, type ConnectionWorkflowInput } from '../../workflows/connection-contract.js';
import { connectionWorkflowId, type ConnectionStatus } from '../../domain/connection-status.js';
import { connectionWorkflow } from '../../workflows/connection.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';
import { timerDurations } from '../support/workflow-harness.js';

let system: TestSystem;
let org: TestOrg;
const ACCOUNT = 'acct-lifecycle';
const workflowId = connectionWorkflowId(ACCOUNT, 'production');

beforeAll(async () => {
  system = await startTestSystem();
  org = await system.createOrg('production');
  await system.control.generateRecords(org.orgId, 'Account', 20, 31);
  await system.control.generateRecords(org.orgId, 'Contact', 300, 32);
  await system.control.generateRecords(org.orgId, 'Opportunity', 50, 33);
  await connectThroughBrowser(system, ACCOUNT, 'production', org);
}, 60_000);
afterAll(() => system?.stop());

describe('connection workflow hygiene', () => {
  it('continues as new after N cycles, carrying its state, with a short history per run', async () => {
    const handle = system.temporal.workflow.getHandle<typeof connectionWorkflow>(workflowId);
    const initial = await eventually(async () => {
      const status = await handle.query(statusQuery);
      return status.initialSync?.completedAt ? status : undefined;
    });
    // Restart the same connection with a low cycle budget (as a long-running one would reach 500).
    const description = await handle.describe();
    const history = await handle.fetchHistory();
    const input = (await import('@temporalio/common')).defaultPayloadConverter.fromPayload<ConnectionWorkflowInput>(
      history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!,
    );
    await handle.terminate('restart with a low cycle budget');
    await system.temporal.workflow.start(connectionWorkflow, {
      workflowId,
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [{ ...input, cyclesPerRun: 2, carried: { status: initial, paused: false, initialSyncDone: true } }],
    });
    const restartedRun = (await system.temporal.workflow.getHandle(workflowId).describe()).runId;
    expect(restartedRun).not.toBe(description.runId);

    // Two continueAsNew hops later, the state is still there.
    const runs = new Set<string>([restartedRun]);
    await eventually(async () => {
      runs.add((await system.temporal.workflow.getHandle(workflowId).describe()).runId);
      return runs.size >= 3;
    }, 30_000);
    const latest = system.temporal.workflow.getHandle<typeof connectionWorkflow>(workflowId);
    const status = (await latest.query(statusQuery)) as ConnectionStatus;
    expect(status).toMatchObject({ accountId: ACCOUNT, orgId: org.orgId, phase: 'incremental', initialSync: initial.initialSync });
    expect(status.objects.Contact?.records).toBe(300);
    expect(status.lastSyncAt! >= initial.lastSyncAt!).toBe(true);
    const events = (await latest.fetchHistory()).events ?? [];
    expect(events.length).toBeLessThan(200);
  });

  it('keeps record contents out of Temporal history', async () => {
    const contacts = (await system.control.listRecords(org.orgId, 'Contact')).records;
    let histories = '';
    for await (const execution of system.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      const history = await system.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      histories += JSON.stringify(history, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
    }
    expect(histories).toContain('syncPage');
    const leaked = contacts.filter((contact) => {
      const email = typeof contact.Email === 'string' ? contact.Email : '';
      const fullName = `${String(contact.FirstName ?? '')} ${String(contact.LastName ?? '')}`;
      return (email && histories.toLowerCase().includes(email.toLowerCase())) || histories.includes(fullName);
    });
    expect(leaked).toEqual([]);
  });

  it('reconnecting the account to a different org starts that org\'s sync from scratch', async () => {
    const other = await system.createOrg('production');
    await system.control.generateRecords(other.orgId, 'Contact', 40, 34);
    const otherIds = new Set((await system.control.listRecords(other.orgId, 'Contact')).records.map((row) => row.Id));
    await connectThroughBrowser(system, ACCOUNT, 'production', other);
    await eventually(async () => {
      const synced = await system.database.db
        .selectFrom('contacts')
        .select('salesforce_contact_id')
        .where('account_id', '=', ACCOUNT)
        .where('salesforce_contact_id', 'in', [...otherIds])
        .execute();
      return synced.length === otherIds.size;
    }, 30_000);
    const status = (await system.temporal.workflow.getHandle(workflowId).query(statusQuery)) as ConnectionStatus;
    expect(status.orgId).toBe(other.orgId);
  });
});

describe('support commands over the API', () => {
  it('pause, resume and resync answer the status after the command took effect', async () => {
    const support = async (command: 'pause' | 'resume' | 'resync') => {
      const response = await system.support(ACCOUNT, command);
      expect(response.status).toBe(200);
      const body = (await response.json()) as ConnectionStatus & { accepted: true; applied: boolean; status: ConnectionStatus };
      // The body is the status itself; `status` repeats it for first-version clients.
      expect(body.applied).toBe(true);
      expect(body.status.phase).toBe(body.phase);
      return body;
    };
    expect((await support('pause')).phase).toBe('paused');
    expect((await system.status(ACCOUNT)).phase).toBe('paused');
    expect(['incremental', 'initial_sync']).toContain((await support('resume')).phase);
    const resynced = await support('resync');
    expect(resynced.phase).toBe('initial_sync');
    expect(resynced.initialSync).toMatchObject({ completedAt: null, records: 0 });
    expect((await system.support('acct-nobody', 'pause')).status).toBe(404);
    await eventually(async () => (await system.status(ACCOUNT)).initialSync?.completedAt, 30_000);
  });
});

describe('settings from the worker', () => {
  it('a changed SYNC_POLL_INTERVAL reaches the running connection at its next continueAsNew', async () => {
    // Since the first test, the connection continues as new every three cycles, polling every SYNC_POLL_INTERVAL.
    const handle = system.temporal.workflow.getHandle(workflowId);
    const before = (await handle.describe()).runId;
    const oldInterval = system.config.SYNC_POLL_INTERVAL;
    const newInterval = oldInterval + 1_000;
    await eventually(async () => (await timerDurations(system.temporal, workflowId, before)).length > 0, 30_000);

    await system.worker.stop();
    const worker = await startWorker(loadConfig({ ...system.env, SYNC_POLL_INTERVAL: `${newInterval}ms` }), createLogger({ level: 'silent' }));
    try {
      const laterRun = await eventually(async () => {
        const { runId } = await handle.describe();
        return runId !== before && (await timerDurations(system.temporal, workflowId, runId)).includes(newInterval) ? runId : undefined;
      }, 30_000);
      // The run in progress keeps what it read at its start; the next run reads the worker's new value.
      expect(new Set(await timerDurations(system.temporal, workflowId, before))).toEqual(new Set([oldInterval]));
      expect(new Set(await timerDurations(system.temporal, workflowId, laterRun))).toEqual(new Set([newInterval]));
    } finally {
      await worker.stop();
    }
  });
});

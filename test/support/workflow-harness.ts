import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { Context } from '@temporalio/activity';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities, SyncSettings } from '../../activities/index.js';
import type { ConnectionStatus } from '../../domain/connection-status.js';
import { statusQuery, type ConnectionWorkflowInput } from '../../workflows/connection-contract.js';
import type { connectionWorkflow } from '../../workflows/connection.js';
import { workflowsPath } from '../../worker/create-worker.js';

// The real connectionWorkflow on the run's Temporal dev server, with scripted fake activities:
// workflow logic (backoff, error waits, commands, continueAsNew) in milliseconds instead of hours.

export type SyncPageInput = Parameters<Activities['syncPage']>[0];
export type SyncPageResult = Awaited<ReturnType<Activities['syncPage']>>;
export type ConnectionHandle = WorkflowHandle<typeof connectionWorkflow>;

/** One fake org per workflow: what its syncPage answers, and what the workflow asked of it. */
export class FakeOrg {
  /** Answers page n (0-based, counted over the whole workflow) or throws. Default: every page is the last. */
  script: (input: SyncPageInput, n: number) => SyncPageResult | Promise<SyncPageResult> = () => page();
  settings: SyncSettings = { pollIntervalMs: 200, lookbackMs: 1_234, safetyLagMs: 567 };
  /** What the initial read's plan step answers (default: planned before, no calls). */
  planScript: (n: number) => Partial<InitialPlanResult> | Promise<Partial<InitialPlanResult>> = () => ({});
  /** Each plan step the workflow ran, with how many pages had been read before it. */
  readonly plans: Array<{ runId: string; pagesBefore: number }> = [];
  /** Runs inside resetSyncCursors (a test can hold the reset there). */
  onReset: () => Promise<void> | void = () => undefined;
  readonly pages: Array<SyncPageInput & { runId: string }> = [];
  /** Each cursor reset, with how many pages had been read before it. */
  readonly resets: Array<{ runId: string; pagesBefore: number }> = [];
  /** Task batches the write lane sent (logFollowupBatch), and what the fake answers. */
  readonly taskBatches: Array<{ runId: string; at: number }> = [];
  taskScript: (n: number) => Partial<TaskBatchResult> | Promise<Partial<TaskBatchResult>> = () => ({});
  /** Write-back batches the write-back lane sent (pushWriteBackBatch), and what the fake answers (default: an empty outbox). */
  readonly writeBackBatches: Array<{ runId: string; at: number }> = [];
  writeBackScript: (n: number) => Partial<WriteBackBatchResult> | Promise<Partial<WriteBackBatchResult>> = () => ({});
}

export type InitialPlanResult = Awaited<ReturnType<Activities['planInitialSync']>>;

export type WriteBackBatchResult = Awaited<ReturnType<Activities['pushWriteBackBatch']>>;

export type TaskBatchResult = Awaited<ReturnType<Activities['logFollowupBatch']>>;

export function page(overrides: Partial<SyncPageResult> = {}): SyncPageResult {
  return { done: true, fetched: 2, upserted: 2, deleted: 0, issues: 0, recordsSynced: 2, apiCalls: 1, apiUsage: { used: 10, max: 1_000 }, ...overrides };
}

/** A typed, non-retryable Salesforce failure, as activities/failures.ts builds them. */
export function salesforceFailure(code: 'REQUEST_LIMIT_EXCEEDED' | 'INSUFFICIENT_ACCESS' | 'INVALID_GRANT'): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`Salesforce says ${code}`, code);
}

export interface Harness {
  client: Client;
  /** Starts a connection workflow on a fresh fake org; `setup` scripts the org before the first activity. */
  start(
    name: string,
    options?: Partial<Pick<ConnectionWorkflowInput, 'timings' | 'cyclesPerRun'>>,
    setup?: (org: FakeOrg) => void,
  ): Promise<{ handle: ConnectionHandle; org: FakeOrg }>;
  stop(): Promise<void>;
}

/**
 * One harness for a test file: started before its tests, stopped after them (on the run's Temporal
 * server). The returned object forwards to it, so tests call `harness.start(…)` as on a harness.
 */
export function useHarness(): Harness {
  let current: Harness | undefined;
  const started = () => {
    if (!current) throw new Error('the workflow harness is not started yet (use it inside tests)');
    return current;
  };
  beforeAll(async () => {
    current = await startHarness(inject('temporalAddress'));
  }, 30_000);
  afterAll(async () => {
    await current?.stop();
  });
  return {
    get client() {
      return started().client;
    },
    start: (...args) => started().start(...args),
    stop: () => started().stop(),
  };
}

export async function startHarness(address: string): Promise<Harness> {
  const orgs = new Map<string, FakeOrg>();
  const orgOf = () => {
    const execution = Context.current().info.workflowExecution!; // always set: these run for a workflow
    return { org: orgs.get(execution.workflowId)!, runId: execution.runId };
  };
  const activities = {
    async syncSettings() {
      return orgOf().org.settings;
    },
    async syncPage(input: SyncPageInput) {
      const { org, runId } = orgOf();
      org.pages.push({ ...input, runId });
      return org.script(input, org.pages.length - 1);
    },
    async planInitialSync() {
      const { org, runId } = orgOf();
      org.plans.push({ runId, pagesBefore: org.pages.length });
      return { apiCalls: 0, apiUsage: null, pollAfterMs: {}, ...(await org.planScript(org.plans.length - 1)) };
    },
    async resetSyncCursors() {
      const { org, runId } = orgOf();
      await org.onReset();
      org.resets.push({ runId, pagesBefore: org.pages.length });
    },
    async checkConnection() {
      return { apiUsage: { used: 1, max: 1_000 } };
    },
    async logFollowupBatch() {
      const { org, runId } = orgOf();
      org.taskBatches.push({ runId, at: Date.now() });
      const answer = await org.taskScript(org.taskBatches.length - 1);
      return { logged: 1, adopted: 0, failed: 0, waitingForContact: 0, apiCalls: 1, collectionCalls: 1, due: 0, nextDueInMs: null, apiUsage: null, ...answer };
    },
    async pushWriteBackBatch() {
      const { org, runId } = orgOf();
      org.writeBackBatches.push({ runId, at: Date.now() });
      const answer = await org.writeBackScript(org.writeBackBatches.length - 1);
      // By default no FastFollow edits in these scripted orgs: the outbox is empty.
      return { ...{ written: 0, created: 0, failed: 0, retrying: 0, conflicts: 0, apiCalls: 0, collectionCalls: 0, due: 0, nextDueInMs: null, apiUsage: null }, ...answer };
    },
  } satisfies Partial<Activities>;

  const taskQueue = `workflow-logic-${randomBytes(4).toString('hex')}`;
  const native = await NativeConnection.connect({ address });
  // Heartbeats (and so cancellations) reach the server within 100 ms instead of 80 % of the heartbeat timeout.
  const worker = await Worker.create({ connection: native, taskQueue, workflowsPath, activities, maxHeartbeatThrottleInterval: '100 ms' });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address }) });

  return {
    client,
    async start(name, options = {}, setup) {
      const id = `logic-${name}-${randomBytes(3).toString('hex')}`;
      const org = new FakeOrg();
      setup?.(org);
      orgs.set(id, org);
      const input: ConnectionWorkflowInput = {
        connectionId: id,
        accountId: `acct-${name}`,
        environment: 'production',
        orgId: '00D000000000LOGIC',
        connectedAt: new Date().toISOString(),
        ...options,
      };
      await client.workflow.start<typeof connectionWorkflow>('connectionWorkflow', { workflowId: id, taskQueue, args: [input] });
      // A handle on the workflow id (not the first run): it follows continueAsNew.
      return { handle: client.workflow.getHandle<typeof connectionWorkflow>(id), org };
    },
    async stop() {
      worker.shutdown();
      await running;
      await native.close();
      await client.connection.close();
    },
  };
}

/** Polls `probe` every 20 ms until it returns a value (not undefined/false). Generous deadline: a busy CI machine is slow, a passing run is not. */
export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for a status that satisfies `test` (the workflow's own query). */
export function statusWhere(handle: ConnectionHandle, test: (status: ConnectionStatus) => boolean, timeoutMs?: number): Promise<ConnectionStatus> {
  return until(async () => {
    const status = await handle.query(statusQuery);
    return test(status) ? status : undefined;
  }, timeoutMs);
}

/** Durations (ms) of the timers the given run started, in order. */
export async function timerDurations(client: Client, workflowId: string, runId?: string): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
    return timeout ? [Number(timeout.seconds ?? 0) * 1_000 + Math.round((timeout.nanos ?? 0) / 1e6)] : [];
  });
}

/** Resolves once the run has completed a workflow task after its latest signal (the handler ran). */
export async function signalHandled(client: Client, workflowId: string): Promise<void> {
  await until(async () => {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const signalled = events.findLastIndex((event) => event.workflowExecutionSignaledEventAttributes);
    return signalled >= 0 && events.slice(signalled).some((event) => event.workflowTaskCompletedEventAttributes);
  });
}

/** A gate a fake activity waits at until the test opens it. */
export function gate(): { entered: Promise<void>; enter(): Promise<void>; open(): void } {
  let markEntered!: () => void;
  let open!: () => void;
  const entered = new Promise<void>((resolve) => (markEntered = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    entered,
    open,
    enter() {
      markEntered();
      return opened;
    },
  };
}

import { newConnectionStatus, type ConnectionStatus } from '../domain/connection-status.js';
import type { ErrorExplanation } from '../domain/error-explanations.js';
import type { SyncedObject } from '../domain/synced-objects.js';
import type { CarriedState, ConnectionWorkflowInput, WorkflowTimings } from './connection-contract.js';
import { CALLS_PER_GRANT } from '../domain/budget.js';
import { QuotaState } from './quota-state.js';

const CONCURRENCY_BACKOFF_BASE_MS = 5_000;
const CONCURRENCY_BACKOFF_MAX_MS = 60_000;

/** What one syncPage activity reports (counts only). */
export interface PageCounts {
  done: boolean;
  upserted: number;
  deleted: number;
  recordsSynced: number;
  apiCalls: number;
  apiUsage: { used: number; max: number } | null;
  estimate?: { records: number; apiCalls: number };
}

/**
 * Everything the connection workflow knows, in one place: the status it answers, the pending
 * support commands and the backoff. Handlers only record commands here; the lanes act on them.
 * Plain code (no Temporal calls), so it is unit-tested directly and carried whole by continueAsNew.
 */
export class ConnectionState {
  paused: boolean;
  initialSyncDone: boolean;
  resyncRequested: boolean;
  /** Set by a command that should cut a durable wait (poll, backoff, error re-check) short. */
  wake: boolean;
  backoffAttempt: number;
  disconnectReason: string | null = null;
  /** True while the read lane is parked in the paused phase. */
  parked = false;
  /** Follow-ups may be waiting in the queue for the write lane (carried across continueAsNew). */
  followupsPending: boolean;
  /** Set after each read page and cycle: the write-back lane looks at the outbox then (not carried). */
  writeBackWake = false;
  /** Distinct follow-ups posted since the write lane's last batch (ids only; a full batch is sent at once). */
  readonly followupsPosted = new Set<string>();
  /** Off-hours window, API allocation, our own 24 h call count and the quota backoff (carried). */
  readonly quota: QuotaState;
  /** Commands received, and how many of them the read lane has acted on (Updates wait for theirs). */
  private received = 0;
  private actedOn = 0;

  private constructor(
    readonly status: ConnectionStatus,
    carried: Omit<CarriedState, 'status'>,
  ) {
    this.paused = carried.paused;
    this.initialSyncDone = carried.initialSyncDone;
    this.resyncRequested = carried.resyncRequested ?? false;
    this.wake = carried.wake ?? false;
    this.backoffAttempt = carried.backoffAttempt ?? 0;
    this.followupsPending = carried.followupsPending ?? false;
    this.quota = new QuotaState(carried.quota);
  }

  static fromInput(input: ConnectionWorkflowInput): ConnectionState {
    if (input.carried) return new ConnectionState(input.carried.status, input.carried);
    const { accountId, environment, orgId, connectedAt } = input;
    const status = newConnectionStatus({ accountId, environment, orgId, connectedAt, phase: 'initial_sync' });
    const state = new ConnectionState(status, { paused: false, initialSyncDone: false });
    state.quota.recordCalls(Date.parse(input.connectedAt), CALLS_PER_GRANT);
    return state;
  }

  /** What the next run starts from: nothing pending is lost across continueAsNew. */
  toCarried(): CarriedState {
    return {
      status: this.status,
      paused: this.paused,
      initialSyncDone: this.initialSyncDone,
      resyncRequested: this.resyncRequested,
      wake: this.wake,
      backoffAttempt: this.backoffAttempt,
      followupsPending: this.followupsPending || this.followupsPosted.size > 0,
      quota: this.quota.toCarried(),
    };
  }

  get ended(): boolean {
    return this.disconnectReason !== null;
  }

  // Commands. Each returns its sequence number: an Update waits until `hasActedOn(seq)`.
  pause(): number {
    this.paused = true;
    this.wake = true;
    return ++this.received;
  }

  /** Undefined when there is nothing to resume (the sync is running and healthy). */
  resume(): number | undefined {
    const stopped = this.paused || this.status.phase === 'error' || this.status.phase === 'backing_off';
    // Support says "try now": a quota backoff or budget hold does not outlast a resume (one page checks).
    if (this.status.phase === 'backing_off') this.quota.tryNow();
    this.paused = false;
    this.wake = true;
    return stopped ? ++this.received : undefined;
  }

  resync(): number {
    this.resyncRequested = true;
    this.wake = true;
    return ++this.received;
  }

  /** The API stored a follow-up to log as a Task: the write lane takes it in its next batch. */
  followupPosted(followupId: string): void {
    this.followupsPosted.add(followupId);
    this.followupsPending = true;
  }

  /** A write-lane batch's Salesforce calls count toward the sync's API use. */
  recordTaskBatch(apiCalls: number, apiUsage: { used: number; max: number } | null, now: string): void {
    this.status.syncApiCalls = (this.status.syncApiCalls ?? 0) + apiCalls;
    if (apiUsage) this.status.apiUsage = { ...apiUsage, checkedAt: now };
    this.callsMade(apiCalls, now);
  }

  /** Every lane's Salesforce calls count toward the allocation; a call that went through ends a quota backoff. */
  private callsMade(apiCalls: number, now: string): void {
    this.quota.callsMade(Date.parse(now), apiCalls);
    this.refreshQuotaStatus(Date.parse(now));
  }

  /** The schedule and allocation as status shows them (kept current after calls and support changes). */
  refreshQuotaStatus(nowMs: number): void {
    Object.assign(this.status, this.quota.statusFields(nowMs, this.status.apiUsage));
  }

  disconnect(reason: string): void {
    this.disconnectReason = reason;
  }

  /** A new grant; `otherOrgRestarts` is asked only when the org changed (it may record a patch marker). */
  reconnected({ orgId, connectedAt }: { orgId: string; connectedAt: string }, otherOrgRestarts: () => boolean): void {
    if (orgId !== this.status.orgId && otherOrgRestarts()) {
      // Another org behind the same account: its data must be read from the start.
      this.initialSyncDone = false;
      this.status.initialSync = null;
      this.status.objects = {};
    }
    this.status.orgId = orgId;
    if (connectedAt !== this.status.connectedAt) this.quota.recordCalls(Date.parse(connectedAt), CALLS_PER_GRANT);
    this.status.connectedAt = connectedAt;
    this.status.error = null;
    this.wake = true;
    ++this.received;
  }

  /** The read lane took every command received so far into account (started a cycle, or parked). */
  markCommandsActedOn(): void {
    this.actedOn = this.received;
  }

  hasActedOn(seq: number): boolean {
    return this.actedOn >= seq;
  }

  get hasCommandToActOn(): boolean {
    return this.received > this.actedOn;
  }

  /** The read lane stops between pages for these. */
  get readMustStop(): boolean {
    return this.ended || this.paused || this.resyncRequested;
  }

  /** The cursors were reset: the next cycle is a full initial read. */
  resyncStarted(): void {
    this.resyncRequested = false;
    this.initialSyncDone = false;
    this.status.initialSync = null;
  }

  beginInitialRead(now: string): void {
    if (!this.initialSyncDone && !this.status.initialSync) {
      this.status.initialSync = { startedAt: now, completedAt: null, records: 0, apiCalls: 0 };
    }
  }

  recordPage(object: SyncedObject, mode: 'initial' | 'incremental', page: PageCounts, now: string): void {
    const status = this.status;
    if (mode === 'initial' && status.initialSync) status.initialSync.records += page.upserted + page.deleted;
    status.objects[object] = { records: page.recordsSynced, lastSyncAt: page.done ? now : (status.objects[object]?.lastSyncAt ?? null) };
    this.recordReadCalls(mode, page, now);
  }

  /** A read step's calls (a page's, or the initial read's plan before its first page). */
  recordReadCalls(mode: 'initial' | 'incremental', { apiCalls, apiUsage }: Pick<PageCounts, 'apiCalls' | 'apiUsage'>, now: string): void {
    this.status.syncApiCalls = (this.status.syncApiCalls ?? 0) + apiCalls;
    if (mode === 'initial' && this.status.initialSync) this.status.initialSync.apiCalls += apiCalls;
    if (apiUsage) this.status.apiUsage = { ...apiUsage, checkedAt: now };
    this.callsMade(apiCalls, now);
  }

  /** A full pass over every object finished. Returns whether it was the initial read. */
  readCompleted(now: string): boolean {
    const wasInitial = !this.initialSyncDone;
    if (wasInitial && this.status.initialSync) this.status.initialSync.completedAt = now;
    this.status.lastSyncAt = now;
    this.status.lastCheckedAt = now;
    this.status.error = null;
    this.backoffAttempt = 0;
    this.initialSyncDone = true;
    return wasInitial;
  }

  /** Before the sync cycle existed: a bare connection check stood for a cycle. */
  connectionChecked(apiUsage: { used: number; max: number }, now: string): void {
    this.status.apiUsage = { ...apiUsage, checkedAt: now };
    this.status.lastCheckedAt = now;
    this.status.lastSyncAt = now;
    this.status.error = null;
    this.initialSyncDone = true;
    this.backoffAttempt = 0;
  }

  failed(explanation: ErrorExplanation, now: string): void {
    this.status.error = { code: explanation.code, message: explanation.message, fix: explanation.fix, at: now };
  }

  /** The grant is gone: a disconnect from FastFollow (which erases tokens) keeps its own reason. */
  accessRevoked(reason = 'Access revoked in Salesforce'): void {
    if (this.disconnectReason === null) this.disconnectReason = reason;
    else this.status.error = null;
  }

  /**
   * Backoff for Salesforce's concurrent long-request limit (CONCURRENT_REQUEST_LIMIT): seconds, not
   * minutes, since it clears as the org's long requests end. 5 s doubling up to 1 min, with jitter.
   */
  nextConcurrencyBackoffMs(random: number): number {
    return Math.min(CONCURRENCY_BACKOFF_MAX_MS, CONCURRENCY_BACKOFF_BASE_MS * 2 ** this.backoffAttempt++) * (0.5 + random / 2);
  }

  /** Exponential backoff with jitter; `random` in [0, 1). */
  nextBackoffMs(timings: WorkflowTimings, random: number): number {
    return Math.min(timings.backoffMaxMs, timings.backoffBaseMs * 2 ** this.backoffAttempt++) * (0.5 + random / 2);
  }
}

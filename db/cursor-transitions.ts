import type { Selectable, Updateable } from 'kysely';
import type { SalesforceSyncCursorsTable } from './schema.js';
import { parseSalesforceDateTime, type SyncWindow } from '../domain/sync/soql.js';

// The sync cursor's state machine, as named transitions. Each returns exactly the columns it
// changes; db/cursors.ts writes them. Pure, so the rules are unit-tested without a database.
//
//   (new) ──planned──▶ initial read: initialPageApplied* ──▶ initialReadCompleted
//                      (Bulk: bulkJobCreated, bulkJobPolled* until JobComplete, bulkJobFinished, then the same;
//                       bulkJobLost: a new job, or REST after BULK_JOBS_BEFORE_REST lost jobs)
//   then per cycle:    windowPageApplied* ──▶ windowCompleted
//   any time:          resyncRequested ──▶ back to (new), FastFollow data kept

export type CursorRow = Selectable<SalesforceSyncCursorsTable>;
export type CursorChange = Updateable<SalesforceSyncCursorsTable>;

/** Where the page just applied ended: the locator for the next page, and the last record's key for a keyset resume. */
export interface AppliedPage {
  locator: string | null;
  last: { SystemModstamp?: string | null; Id?: unknown } | undefined;
  /** Rows of the object mirrored after this page. */
  recordsSynced: number;
}

/** The key a keyset resume continues after (see domain/sync/resume.ts). */
function resumeKey(last: AppliedPage['last']): Pick<CursorChange, 'last_modstamp' | 'last_id'> {
  return {
    last_modstamp: last?.SystemModstamp ? parseSalesforceDateTime(last.SystemModstamp) : null,
    last_id: last ? String(last.Id) : null,
  };
}

/** A read finished: nothing left to continue. */
const READ_FINISHED = { mode: null, locator: null, last_modstamp: null, last_id: null } as const;

/**
 * A page of the initial read applied, more to come. The read's start time is kept once: changes made
 * while it runs are picked up by the first incremental window.
 */
export function initialPageApplied(cursor: CursorRow, page: AppliedPage, startedAt: Date): CursorChange {
  return {
    mode: 'initial',
    locator: page.locator,
    ...resumeKey(page.last),
    records_synced: page.recordsSynced,
    initial_started_at: cursor.initial_started_at ?? startedAt,
    updated_at: new Date(),
  };
}

/** The initial read's last page applied: incremental windows start from when the read began. */
export function initialReadCompleted(cursor: CursorRow, page: Pick<AppliedPage, 'recordsSynced'>, startedAt: Date): CursorChange {
  const initialStartedAt = cursor.initial_started_at ?? startedAt;
  return {
    ...READ_FINISHED,
    records_synced: page.recordsSynced,
    initial_started_at: initialStartedAt,
    initial_done: true,
    bulk_job_id: null,
    bulk_job_created_at: null,
    bulk_job_polls: 0,
    watermark: initialStartedAt,
    last_synced_at: new Date(),
    updated_at: new Date(),
  };
}

/** A page of an incremental window applied, more to come: the window is kept so a retry reads the same one. */
export function windowPageApplied(window: SyncWindow, page: AppliedPage): CursorChange {
  return {
    mode: 'incremental',
    locator: page.locator,
    ...resumeKey(page.last),
    records_synced: page.recordsSynced,
    window_from: window.from,
    window_to: window.to,
    updated_at: new Date(),
  };
}

/** An incremental window's last page applied: the watermark moves to the window's end. */
export function windowCompleted(window: SyncWindow, page: Pick<AppliedPage, 'recordsSynced'>): CursorChange {
  return {
    ...READ_FINISHED,
    records_synced: page.recordsSynced,
    window_from: null,
    window_to: null,
    watermark: window.to,
    last_synced_at: new Date(),
    updated_at: new Date(),
  };
}

/**
 * A Bulk query job created (at `createdAt`, when Salesforce answered; a found orphan: when it was asked
 * for) for the initial read: kept at once, so a crash reuses it instead of paying for another.
 */
export function bulkJobCreated(jobId: string, createdAt: Date): CursorChange {
  return { bulk_job_id: jobId, bulk_job_created_at: createdAt, bulk_job_requested_at: null, bulk_job_polls: 0, locator: null, mode: 'initial', updated_at: new Date() };
}

/** Salesforce finished the job: its size and processing time predict when the connection's other jobs end. */
export function bulkJobFinished(records: number, processingMs: number): CursorChange {
  return { bulk_completed_records: records, bulk_completed_processing_ms: processingMs, updated_at: new Date() };
}

/** About to ask Salesforce for a Bulk job: kept first, so a crash before its id is saved can find it. */
export function bulkJobRequested(at: Date): CursorChange {
  return { bulk_job_requested_at: at, updated_at: at };
}

/** Salesforce refused the job (it was not created): nothing to look for after a restart. */
export function bulkJobRefused(): CursorChange {
  return { bulk_job_requested_at: null, updated_at: new Date() };
}

/** The job answered a status poll with UploadComplete/InProgress: the next poll waits longer. */
export function bulkJobPolled(polls: number): CursorChange {
  return { bulk_job_polls: polls, updated_at: new Date() };
}

/**
 * The read's Bulk job failed, was aborted or is gone (results deleted): it is forgotten, and the
 * object is read again from its start — by a new job, or with REST queries once `fallBackToRest`.
 * Rows applied from the lost job stay (a re-read applies them again, idempotently); no resume key
 * is kept because a Bulk job's results are in no particular order.
 */
export function bulkJobLost(cursor: CursorRow, reason: string, fallBackToRest: boolean, at: Date): CursorChange {
  return {
    ...READ_FINISHED,
    mode: 'initial',
    bulk_job_id: null,
    bulk_job_created_at: null,
    bulk_job_requested_at: null,
    bulk_job_polls: 0,
    bulk_jobs_lost: cursor.bulk_jobs_lost + 1,
    bulk_job_lost_reason: reason,
    bulk_job_lost_at: at,
    method: fallBackToRest ? 'rest' : cursor.method,
    updated_at: at,
  };
}

/** Support's resync: the next cycle re-plans and re-reads every object from the start. */
export function resyncRequested(): CursorChange {
  return {
    ...READ_FINISHED,
    initial_done: false,
    initial_started_at: null,
    method: null,
    planned_records: null,
    bulk_job_id: null,
    bulk_job_created_at: null,
    bulk_job_requested_at: null,
    bulk_job_polls: 0,
    bulk_jobs_lost: 0,
    bulk_completed_records: null,
    bulk_completed_processing_ms: null,
    bulk_job_lost_reason: null,
    bulk_job_lost_at: null,
    window_from: null,
    window_to: null,
    updated_at: new Date(),
  };
}

/** Which read a page belonged to: the initial read, or one incremental window. */
export type CursorRead = { mode: 'initial' } | { mode: 'incremental'; window: SyncWindow };

/** The transition for a page just applied (same transaction as the page). */
export function pageApplied(cursor: CursorRow, read: CursorRead, page: AppliedPage & { done: boolean }, startedAt: Date): CursorChange {
  if (read.mode === 'initial') return page.done ? initialReadCompleted(cursor, page, startedAt) : initialPageApplied(cursor, page, startedAt);
  return page.done ? windowCompleted(read.window, page) : windowPageApplied(read.window, page);
}

import { describe, expect, it } from 'vitest';
import {
  bulkJobCreated,
  bulkJobFinished,
  bulkJobLost,
  bulkJobPolled,
  bulkJobRequested,
  initialPageApplied,
  initialReadCompleted,
  pageApplied,
  resyncRequested,
  windowCompleted,
  windowPageApplied,
} from '../../../db/cursor-transitions.js';
import { cursorRow } from '../sync/cursor-fixture.js';

const startedAt = new Date('2024-05-01T12:00:00Z');
const last = { Id: '003000000000009AAA', SystemModstamp: '2024-05-01T10:30:00.000+0000' };
const window = { from: '2024-05-01T10:00:00.000Z', to: '2024-05-01T11:00:00.000Z' };

/** The columns a transition writes, without updated_at / last_synced_at (the clock). */
function columns(change: object): string[] {
  return Object.keys(change).sort();
}

describe('cursor transitions', () => {
  it('initialPageApplied keeps the position and the read start time of the first page', () => {
    const change = initialPageApplied(cursorRow(), { locator: 'L2', last, recordsSynced: 2000 }, startedAt);
    expect(change).toMatchObject({
      mode: 'initial',
      locator: 'L2',
      last_modstamp: new Date('2024-05-01T10:30:00Z'),
      last_id: '003000000000009AAA',
      records_synced: 2000,
      initial_started_at: startedAt,
    });
    expect(columns(change)).toEqual(['initial_started_at', 'last_id', 'last_modstamp', 'locator', 'mode', 'records_synced', 'updated_at']);
  });

  it('a later initial page does not move the read start time', () => {
    const began = new Date('2024-05-01T08:00:00Z');
    expect(initialPageApplied(cursorRow({ initial_started_at: began }), { locator: null, last, recordsSynced: 1 }, startedAt).initial_started_at).toBe(began);
  });

  it('initialReadCompleted clears the position and the Bulk job, and sets the watermark to the read start', () => {
    const began = new Date('2024-05-01T08:00:00Z');
    const change = initialReadCompleted(cursorRow({ initial_started_at: began, bulk_job_id: '750x' }), { recordsSynced: 42 }, startedAt);
    expect(change).toMatchObject({ mode: null, locator: null, last_modstamp: null, last_id: null, initial_done: true, bulk_job_id: null, watermark: began, records_synced: 42 });
    expect(change.last_synced_at).toBeInstanceOf(Date);
  });

  it('windowPageApplied keeps the window so a retry reads the same one', () => {
    const change = windowPageApplied(window, { locator: 'L', last: undefined, recordsSynced: 7 });
    expect(change).toMatchObject({ mode: 'incremental', locator: 'L', last_modstamp: null, last_id: null, window_from: window.from, window_to: window.to });
    expect(change).not.toHaveProperty('watermark');
  });

  it('windowCompleted moves the watermark to the window end and forgets the window', () => {
    const change = windowCompleted(window, { recordsSynced: 9 });
    expect(change).toMatchObject({ mode: null, locator: null, window_from: null, window_to: null, watermark: window.to, records_synced: 9 });
    expect(change).not.toHaveProperty('initial_done');
  });

  it('bulkJobCreated writes the job, when it was created, a fresh poll count, no results locator, the mode, and ends the request', () => {
    const createdAt = new Date('2024-05-01T12:00:00Z');
    const { updated_at: _at, ...change } = bulkJobCreated('750x', createdAt);
    expect(change).toEqual({ bulk_job_id: '750x', bulk_job_created_at: createdAt, bulk_job_requested_at: null, bulk_job_polls: 0, locator: null, mode: 'initial' });
  });

  it('bulkJobFinished keeps the finished job\'s size and processing time (the org\'s rate), nothing else', () => {
    const { updated_at: _at, ...change } = bulkJobFinished(25_000, 3_750);
    expect(change).toEqual({ bulk_completed_records: 25_000, bulk_completed_processing_ms: 3_750 });
  });

  it('bulkJobRequested notes when the job was asked for (a crash before its id is kept can find it)', () => {
    const at = new Date('2024-05-01T12:00:00Z');
    expect(bulkJobRequested(at)).toEqual({ bulk_job_requested_at: at, updated_at: at });
  });

  it('bulkJobPolled keeps the poll count (the next poll waits longer)', () => {
    expect(bulkJobPolled(3)).toMatchObject({ bulk_job_polls: 3 });
  });

  it('bulkJobLost forgets the job and the position, counts the loss and keeps why; REST only when told', () => {
    const at = new Date('2024-05-01T12:00:00Z');
    const cursor = cursorRow({ method: 'bulk', mode: 'initial', bulk_job_id: '750x', bulk_job_polls: 4, locator: 'MTAw', ...{ last_id: '003x', last_modstamp: at } });
    const change = bulkJobLost(cursor, 'Bulk query job 750x failed', false, at);
    expect(change).toMatchObject({
      mode: 'initial', bulk_job_id: null, bulk_job_created_at: null, bulk_job_polls: 0, locator: null, last_id: null, last_modstamp: null,
      bulk_jobs_lost: 1, bulk_job_lost_reason: 'Bulk query job 750x failed', bulk_job_lost_at: at, method: 'bulk',
    });
    // Rows applied from the lost job and the read's start time stay: the re-read applies idempotently.
    expect(change).not.toHaveProperty('records_synced');
    expect(change).not.toHaveProperty('initial_started_at');
    expect(bulkJobLost({ ...cursor, bulk_jobs_lost: 1 }, 'again', true, at)).toMatchObject({ method: 'rest', bulk_jobs_lost: 2 });
  });

  it('resyncRequested forgets plan, position and window but keeps the watermark and the counts', () => {
    const change = resyncRequested();
    expect(change).toMatchObject({ initial_done: false, initial_started_at: null, method: null, planned_records: null, bulk_job_id: null, mode: null, locator: null });
    expect(change).toMatchObject({ bulk_job_polls: 0, bulk_jobs_lost: 0, bulk_job_lost_reason: null, bulk_job_created_at: null });
    // The org's rate is learnt again by the next read's jobs.
    expect(change).toMatchObject({ bulk_completed_records: null, bulk_completed_processing_ms: null });
    expect(change).not.toHaveProperty('watermark');
    expect(change).not.toHaveProperty('records_synced');
  });

  it('pageApplied picks the transition from the read and whether it is done', () => {
    const cursor = cursorRow();
    const page = { locator: null, last, recordsSynced: 3 };
    expect(pageApplied(cursor, { mode: 'initial' }, { ...page, done: false }, startedAt).mode).toBe('initial');
    expect(pageApplied(cursor, { mode: 'initial' }, { ...page, done: true }, startedAt).initial_done).toBe(true);
    expect(pageApplied(cursor, { mode: 'incremental', window }, { ...page, done: false }, startedAt).window_to).toBe(window.to);
    expect(pageApplied(cursor, { mode: 'incremental', window }, { ...page, done: true }, startedAt).watermark).toBe(window.to);
  });
});

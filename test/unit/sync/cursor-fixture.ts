import type { CursorRow } from '../../../db/cursors.js';

/** A cursor as loadOrCreateCursor returns a fresh one, with `overrides` applied. */
export function cursorRow(overrides: Partial<CursorRow> = {}): CursorRow {
  return {
    connection_id: 'conn-1',
    object: 'Contact',
    initial_started_at: null,
    initial_done: false,
    mode: null,
    locator: null,
    last_modstamp: null,
    last_id: null,
    window_from: null,
    window_to: null,
    watermark: null,
    records_synced: '0',
    last_synced_at: null,
    method: null,
    planned_records: null,
    bulk_job_id: null,
    bulk_job_polls: 0,
    bulk_jobs_lost: 0,
    bulk_job_lost_reason: null,
    bulk_job_lost_at: null,
    bulk_job_requested_at: null,
    bulk_job_created_at: null,
    bulk_completed_records: null,
    bulk_completed_processing_ms: null,
    updated_at: new Date('2024-01-01T00:00:00Z'),
    ...overrides,
  };
}

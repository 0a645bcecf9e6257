import type { CursorRead, CursorRow } from '../../db/cursors.js';
import { resumeQuery } from '../../domain/sync/resume.js';
import { incrementalQuery, incrementalWindow, initialQuery, isEmptyWindow } from '../../domain/sync/soql.js';

// Pure: which read the next page belongs to, and how it continues (locator, keyset or a fresh query).

export type SyncMode = CursorRead['mode'];

/** The read the next page belongs to; `continuing` when the cursor holds this read's position. */
export type NextRead = CursorRead & { continuing: boolean };

export interface WindowSettings {
  now: Date;
  lookbackMs: number;
  safetyLagMs: number;
}

/** The next page's read, or null when there is nothing to read (initial read done, or an empty window). */
export function nextRead(cursor: CursorRow, mode: SyncMode, settings: WindowSettings): NextRead | null {
  if (mode === 'initial') return cursor.initial_done ? null : { mode, continuing: cursor.mode === mode };
  // The window is fixed when a cycle starts and kept in the cursor, so a retried page reads the same window.
  if (cursor.window_to) {
    const window = { from: cursor.window_from?.toISOString() ?? null, to: cursor.window_to.toISOString() };
    return { mode, window, continuing: cursor.mode === mode };
  }
  const watermark = cursor.watermark ?? cursor.initial_started_at;
  const window = incrementalWindow({ watermark: watermark?.toISOString() ?? null, ...settings });
  // A new window starts its read afresh, whatever the cursor held.
  return isEmptyWindow(window) ? null : { mode, window, continuing: false };
}

export interface RestRead {
  /** The exact nextRecordsUrl Salesforce gave, when the read continues by locator. */
  locator: string | null;
  /** The query without a locator (or once it expired): a keyset resume after the last applied record, or the read from its start. */
  soql: string;
}

/** `extra`: the connection's mapped custom fields of the object (read beside the default ones). */
export function restReadFor(cursor: CursorRow, read: NextRead, extra: readonly string[] = []): RestRead {
  const window = read.mode === 'incremental' ? read.window : undefined;
  const lastKey = read.continuing && cursor.last_id && cursor.last_modstamp ? { modstamp: cursor.last_modstamp, id: cursor.last_id } : null;
  const soql = lastKey
    ? resumeQuery(cursor.object, lastKey, window, extra)
    : read.mode === 'initial'
      ? initialQuery(cursor.object, extra)
      : incrementalQuery(cursor.object, read.window, extra);
  return { locator: read.continuing ? cursor.locator : null, soql };
}

import { describe, expect, it } from 'vitest';
import { deletesCheckDue, longPauseMs } from '../../../activities/sync/reconcile-deletes.js';

// When an object's deletes are checked (one getDeleted call): at most daily, and after a long pause.

const now = new Date('2024-05-10T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const MINUTE = 60_000;
const POLL = 2 * MINUTE;

describe('deletes check schedule', () => {
  it('never checked: due', () => {
    expect(deletesCheckDue({ checked_at: null }, ago(MINUTE), now, POLL)).toBe(true);
  });

  it('a healthy connection checks once a day, not every cycle', () => {
    expect(deletesCheckDue({ checked_at: ago(23 * 60 * MINUTE) }, ago(POLL), now, POLL)).toBe(false);
    expect(deletesCheckDue({ checked_at: ago(24 * 60 * MINUTE) }, ago(POLL), now, POLL)).toBe(true);
  });

  it('after a pause or outage of 10 poll intervals (20 minutes by default) it checks on resume, once', () => {
    expect(longPauseMs(POLL)).toBe(20 * MINUTE);
    expect(deletesCheckDue({ checked_at: ago(3 * 60 * MINUTE) }, ago(20 * MINUTE), now, POLL)).toBe(true);
    expect(deletesCheckDue({ checked_at: ago(3 * 60 * MINUTE) }, ago(19 * MINUTE), now, POLL)).toBe(false);
    // Checked a moment ago (the window has not caught up yet): not again.
    expect(deletesCheckDue({ checked_at: ago(MINUTE) }, ago(5 * 60 * MINUTE), now, POLL)).toBe(false);
  });
});

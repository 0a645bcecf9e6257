import { describe, expect, it } from 'vitest';
import { nextRead, restReadFor } from '../../../activities/sync/next-read.js';
import { cursorRow } from './cursor-fixture.js';

const settings = { now: new Date('2024-05-01T12:00:00.000Z'), lookbackMs: 60_000, safetyLagMs: 10_000 };

describe('nextRead: which read the next page belongs to', () => {
  it('initial: nothing once the initial read is done', () => {
    expect(nextRead(cursorRow({ initial_done: true }), 'initial', settings)).toBeNull();
  });

  it('initial: continues only a cursor positioned in the initial read', () => {
    expect(nextRead(cursorRow(), 'initial', settings)).toEqual({ mode: 'initial', continuing: false });
    expect(nextRead(cursorRow({ mode: 'initial', locator: 'L' }), 'initial', settings)).toEqual({ mode: 'initial', continuing: true });
    expect(nextRead(cursorRow({ mode: 'incremental' }), 'initial', settings)).toEqual({ mode: 'initial', continuing: false });
  });

  it('incremental: a window kept in the cursor is read again, continuing where it stopped', () => {
    const cursor = cursorRow({ mode: 'incremental', window_from: new Date('2024-05-01T10:00:00Z'), window_to: new Date('2024-05-01T11:00:00Z') });
    expect(nextRead(cursor, 'incremental', settings)).toEqual({
      mode: 'incremental',
      window: { from: '2024-05-01T10:00:00.000Z', to: '2024-05-01T11:00:00.000Z' },
      continuing: true,
    });
  });

  it('incremental: a new window starts at the watermark minus the lookback and ends at now minus the safety lag, afresh', () => {
    const cursor = cursorRow({ mode: 'incremental', locator: 'stale', watermark: new Date('2024-05-01T11:00:00Z') });
    expect(nextRead(cursor, 'incremental', settings)).toEqual({
      mode: 'incremental',
      window: { from: '2024-05-01T10:59:00Z', to: '2024-05-01T11:59:50Z' },
      continuing: false,
    });
  });

  it('incremental: without a watermark the window starts where the initial read started', () => {
    const cursor = cursorRow({ initial_done: true, initial_started_at: new Date('2024-05-01T09:00:00Z') });
    expect(nextRead(cursor, 'incremental', settings)).toMatchObject({ window: { from: '2024-05-01T08:59:00Z' } });
  });

  it('incremental: nothing when the window would be empty (the last cycle ran moments ago)', () => {
    const cursor = cursorRow({ watermark: new Date('2024-05-01T12:00:00Z') });
    expect(nextRead(cursor, 'incremental', { ...settings, lookbackMs: 0 })).toBeNull();
  });
});

describe('restReadFor: how a REST read continues', () => {
  const lastKey = { last_modstamp: new Date('2024-05-01T10:30:00Z'), last_id: '003000000000001AAA' };

  it('a continuing read uses its locator, with a keyset resume after the last applied record as fallback', () => {
    const cursor = cursorRow({ mode: 'initial', locator: '/services/data/v62.0/query/01g-2000', ...lastKey });
    const read = restReadFor(cursor, { mode: 'initial', continuing: true });
    expect(read.locator).toBe('/services/data/v62.0/query/01g-2000');
    expect(read.soql).toContain("(SystemModstamp = 2024-05-01T10:30:00Z AND Id > '003000000000001AAA')");
    expect(read.soql).not.toContain('SystemModstamp <');
  });

  it('a continuing window read keeps its window bounds in the keyset resume', () => {
    const window = { from: '2024-05-01T10:00:00.000Z', to: '2024-05-01T11:00:00.000Z' };
    const read = restReadFor(cursorRow({ mode: 'incremental', ...lastKey }), { mode: 'incremental', window, continuing: true });
    expect(read.locator).toBeNull();
    expect(read.soql).toContain('SystemModstamp < 2024-05-01T11:00:00Z AND SystemModstamp >= 2024-05-01T10:00:00Z');
    expect(read.soql).toContain("Id > '003000000000001AAA'");
  });

  it('a read that does not continue ignores a stale position and starts from the beginning', () => {
    const cursor = cursorRow({ mode: 'initial', locator: 'stale', ...lastKey });
    const initial = restReadFor(cursor, { mode: 'initial', continuing: false });
    expect(initial).toEqual({ locator: null, soql: expect.stringMatching(/^SELECT .* FROM Contact ORDER BY SystemModstamp, Id$/) });
    const window = { from: null, to: '2024-05-01T11:00:00.000Z' };
    const incremental = restReadFor(cursor, { mode: 'incremental', window, continuing: false });
    expect(incremental.locator).toBeNull();
    expect(incremental.soql).toMatch(/FROM Contact WHERE SystemModstamp < 2024-05-01T11:00:00Z ORDER BY/);
    expect(incremental.soql).not.toContain('Id >');
  });
});

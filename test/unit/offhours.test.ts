import { describe, expect, it } from 'vitest';
import { currentSlot, nextHeavyStart, nextSlot, nextWindowStart, windowProblem, type OffHoursWindow } from '../../domain/offhours.js';

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null | undefined) => date?.toISOString();
const ny: OffHoursWindow = { start: '01:00', end: '05:00', timezone: 'America/New_York' };

describe('off-hours windows', () => {
  it('finds the next start in standard and in daylight time (local 01:00 is 06:00Z in winter, 05:00Z in summer)', () => {
    expect(iso(nextSlot(ny, at('2026-01-15T03:00:00Z')).start)).toBe('2026-01-15T06:00:00.000Z');
    expect(iso(nextSlot(ny, at('2026-07-15T03:00:00Z')).start)).toBe('2026-07-15T05:00:00.000Z');
    expect(nextWindowStart(ny, at('2026-07-15T03:00:00Z'))).toEqual({ utc: '2026-07-15T05:00:00.000Z', local: '2026-07-15T01:00:00.000-04:00' });
  });

  it('spring forward: the night of the change has a 3-hour window, closed at 05:00 EDT', () => {
    // 2026-03-08 02:00 EST → 03:00 EDT.
    const slot = currentSlot(ny, at('2026-03-08T08:30:00Z'))!;
    expect({ start: iso(slot.start), end: iso(slot.end) }).toEqual({ start: '2026-03-08T06:00:00.000Z', end: '2026-03-08T09:00:00.000Z' });
    expect(currentSlot(ny, at('2026-03-08T09:00:00Z'))).toBeNull();
    expect(iso(nextSlot(ny, at('2026-03-08T09:00:00Z')).start)).toBe('2026-03-09T05:00:00.000Z');
  });

  it('spring forward: a start inside the skipped hour moves forward by the gap', () => {
    const gap: OffHoursWindow = { start: '02:30', end: '04:00', timezone: 'America/New_York' };
    const slot = nextSlot(gap, at('2026-03-08T00:00:00Z'));
    expect({ start: iso(slot.start), end: iso(slot.end) }).toEqual({ start: '2026-03-08T07:30:00.000Z', end: '2026-03-08T08:00:00.000Z' });
  });

  it('fall back: the repeated 01:00 is its first occurrence, and the night has a 5-hour window', () => {
    // 2026-11-01 02:00 EDT → 01:00 EST.
    const slot = nextSlot(ny, at('2026-11-01T00:00:00Z'));
    expect({ start: iso(slot.start), end: iso(slot.end) }).toEqual({ start: '2026-11-01T05:00:00.000Z', end: '2026-11-01T10:00:00.000Z' });
    expect(currentSlot(ny, at('2026-11-01T09:30:00Z'))).not.toBeNull();
  });

  it('a window crossing midnight is open late evening and early morning, and closed in between', () => {
    const night: OffHoursWindow = { start: '22:00', end: '04:00', timezone: 'Europe/Berlin' };
    // Berlin is UTC+1 in January.
    expect(iso(currentSlot(night, at('2026-01-20T22:30:00Z'))?.start)).toBe('2026-01-20T21:00:00.000Z');
    expect(iso(currentSlot(night, at('2026-01-21T02:00:00Z'))?.start)).toBe('2026-01-20T21:00:00.000Z');
    expect(currentSlot(night, at('2026-01-21T03:00:00Z'))).toBeNull();
    expect(iso(nextHeavyStart(night, at('2026-01-21T03:00:00Z')))).toBe('2026-01-21T21:00:00.000Z');
    expect(iso(nextHeavyStart(night, at('2026-01-20T22:30:00Z')))).toBe('2026-01-20T22:30:00.000Z');
  });

  it('day filters choose the days a window starts on; a Sunday night slot still runs into Monday', () => {
    const weekend: OffHoursWindow = { start: '22:00', end: '02:00', timezone: 'UTC', days: ['sat', 'sun'] };
    // 2026-01-23 is a Friday.
    expect(currentSlot(weekend, at('2026-01-23T23:00:00Z'))).toBeNull();
    expect(iso(nextSlot(weekend, at('2026-01-23T23:00:00Z')).start)).toBe('2026-01-24T22:00:00.000Z');
    expect(iso(currentSlot(weekend, at('2026-01-26T01:00:00Z'))?.start)).toBe('2026-01-25T22:00:00.000Z');
    expect(iso(nextSlot(weekend, at('2026-01-26T01:00:00Z')).start)).toBe('2026-01-31T22:00:00.000Z');
  });

  it('takes seconds, so a test can use a 20-second slot', () => {
    const slot: OffHoursWindow = { start: '12:00:00', end: '12:00:20', timezone: 'UTC' };
    expect(currentSlot(slot, at('2026-01-01T12:00:19Z'))).not.toBeNull();
    expect(currentSlot(slot, at('2026-01-01T12:00:20Z'))).toBeNull();
  });

  it('names what is wrong with a window', () => {
    expect(windowProblem(ny)).toBeNull();
    expect(windowProblem({ ...ny, timezone: 'Mars/Olympus' })).toMatch(/not an IANA time zone/);
    expect(windowProblem({ ...ny, start: '25:00' })).toMatch(/window.start/);
    expect(windowProblem({ ...ny, end: '1am' })).toMatch(/window.end/);
    expect(windowProblem({ ...ny, end: '01:00' })).toMatch(/must differ/);
    expect(windowProblem({ ...ny, days: [] })).toMatch(/at least one day/);
  });
});

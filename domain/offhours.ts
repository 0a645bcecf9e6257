import { DateTime, IANAZone } from 'luxon';

// Off-hours windows: when heavy sync work (initial sync, resync, backfills, large reconciliations) may
// run. Zone arithmetic is luxon's (IANA zones, DST), never hand-written offsets.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A daily window in a time zone, e.g. 01:00–05:00 America/New_York. `end` before `start` crosses
 * midnight (22:00–04:00 ends the next morning). `days` filters the days the window *starts* on
 * (absent = every day). Times are "HH:MM" or "HH:MM:SS" (seconds make short test windows possible).
 */
export interface OffHoursWindow {
  start: string;
  end: string;
  timezone: string;
  days?: Weekday[];
}

/** One concrete occurrence of a window. */
export interface WindowSlot {
  start: Date;
  end: Date;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

function parseTime(text: string): { hour: number; minute: number; second: number } | null {
  const match = TIME.exec(text);
  if (!match) return null;
  return { hour: Number(match[1]), minute: Number(match[2]), second: Number(match[3] ?? 0) };
}

/** Why a window is not usable (field and reason), or null when it is. */
export function windowProblem(window: OffHoursWindow): string | null {
  if (!parseTime(window.start)) return `window.start "${window.start}" must be a time "HH:MM" or "HH:MM:SS" (24-hour)`;
  if (!parseTime(window.end)) return `window.end "${window.end}" must be a time "HH:MM" or "HH:MM:SS" (24-hour)`;
  if (window.start === window.end) return 'window.start and window.end must differ (an empty window would never run heavy work)';
  if (!IANAZone.isValidZone(window.timezone)) return `window.timezone "${window.timezone}" is not an IANA time zone (e.g. "America/New_York", "Europe/Berlin", "UTC")`;
  if (window.days && window.days.length === 0) return 'window.days must name at least one day (or be left out for every day)';
  return null;
}

function secondsOf(text: string): number {
  const time = parseTime(text)!;
  return time.hour * 3600 + time.minute * 60 + time.second;
}

/**
 * The slot that starts on the local calendar day `day`. A start inside a spring-forward gap moves
 * forward by the gap (luxon's rule), an ambiguous fall-back time takes its first occurrence.
 */
function slotOn(window: OffHoursWindow, day: DateTime): WindowSlot {
  const start = parseTime(window.start)!;
  const end = parseTime(window.end)!;
  const startAt = day.set({ hour: start.hour, minute: start.minute, second: start.second, millisecond: 0 });
  const endDay = secondsOf(window.end) < secondsOf(window.start) ? day.plus({ days: 1 }) : day;
  const endAt = endDay.set({ hour: end.hour, minute: end.minute, second: end.second, millisecond: 0 });
  return { start: startAt.toJSDate(), end: endAt.toJSDate() };
}

/** Slots starting from the local day before `at` on (a slot crossing midnight may still be open), in order. */
function slotsAround(window: OffHoursWindow, at: Date, days: number): WindowSlot[] {
  const first = DateTime.fromJSDate(at, { zone: window.timezone }).startOf('day').minus({ days: 1 });
  const slots: WindowSlot[] = [];
  for (let i = 0; i < days; i++) {
    const day = first.plus({ days: i });
    const weekday = WEEKDAYS[day.weekday - 1]!;
    if (window.days && !window.days.includes(weekday)) continue;
    slots.push(slotOn(window, day));
  }
  return slots;
}

/** The slot `at` falls in (start inclusive, end exclusive), or null outside the window. */
export function currentSlot(window: OffHoursWindow, at: Date): WindowSlot | null {
  return slotsAround(window, at, 3).find((slot) => slot.start <= at && at < slot.end) ?? null;
}

/** The first slot starting after `at` (a week and a day ahead covers every day filter). */
export function nextSlot(window: OffHoursWindow, at: Date): WindowSlot {
  const slot = slotsAround(window, at, 10).find((candidate) => candidate.start > at);
  if (!slot) throw new Error('A valid window always has a slot within a week');
  return slot;
}

/** When heavy work may next run: `at` itself inside the window, else the next slot's start. */
export function nextHeavyStart(window: OffHoursWindow | null, at: Date): Date {
  if (!window || currentSlot(window, at)) return at;
  return nextSlot(window, at).start;
}

/** A time in the window's zone, for people: "2026-03-08T01:00:00.000-05:00". */
export function localTime(window: OffHoursWindow, at: Date): string {
  return DateTime.fromJSDate(at, { zone: window.timezone }).toISO() ?? at.toISOString();
}

/** The next window start in UTC and in the window's local time (what status and the schedule route show). */
export function nextWindowStart(window: OffHoursWindow | null, at: Date): { utc: string; local: string } | null {
  if (!window) return null;
  const start = nextSlot(window, at).start;
  return { utc: start.toISOString(), local: localTime(window, start) };
}

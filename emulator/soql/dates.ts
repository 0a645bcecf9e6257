// Date and datetime helpers: literal parsing, canonical forms, relative date literals.
//
// Canonical forms used everywhere inside the engine, so that comparisons are plain string compares:
//   date     'YYYY-MM-DD'
//   datetime 'YYYY-MM-DDTHH:mm:ss.sssZ' (UTC, what Date#toISOString produces)

const DAY_MS = 86_400_000;

function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate();
}

/** Parses a SOQL date literal 'YYYY-MM-DD'; undefined when not a real calendar date. */
export function parseDateLiteral(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return text;
}

/**
 * Parses a SOQL datetime literal (2024-01-01T00:00:00Z, …00.000Z, …00+02:00, …00-0800) to epoch ms;
 * undefined when malformed or out of range.
 */
export function parseDateTimeLiteral(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  const ms = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMin = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 14 || om > 59) return undefined;
    offsetMin = (oh * 60 + om) * (m[9] === '-' ? -1 : 1);
  }
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
}

function isCanonicalDateTime(v: string): boolean {
  // 'YYYY-MM-DDTHH:mm:ss.sssZ'
  return v.length === 24 && v.charCodeAt(23) === 90 /* Z */ && v.charCodeAt(10) === 84 /* T */ && v.charCodeAt(19) === 46 /* . */;
}

/** A stored datetime value in canonical form, or null. Fast path: already canonical. */
export function canonicalDateTime(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'string') {
    if (isCanonicalDateTime(v)) return v;
    let ms = Date.parse(v);
    if (Number.isNaN(ms)) {
      // '2024-05-01T12:34:56.000+0000' (Salesforce's JSON form) — make the offset ISO-shaped.
      const fixed = v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
      ms = Date.parse(fixed);
    }
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'number') return new Date(v).toISOString();
  return null;
}

/** A stored date value in canonical form 'YYYY-MM-DD', or null. */
export function canonicalDate(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'string') return v.length === 10 ? v : v.length > 10 && v.charCodeAt(10) === 84 ? v.slice(0, 10) : v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return null;
}

/** Salesforce REST JSON datetime: '2024-05-01T12:34:56.000+0000'. */
export function formatDateTimeForJson(v: unknown): string | null {
  const c = canonicalDateTime(v);
  return c === null ? null : `${c.slice(0, 23)}+0000`;
}

// ---------------------------------------------------------------------------------------------
// Relative date literals. Each is a half-open range [start, end) of UTC days (the emulator's
// users are on UTC). For date fields the bounds are 'YYYY-MM-DD', for datetime fields canonical
// datetimes at 00:00:00.000Z.
// ---------------------------------------------------------------------------------------------

export const RELATIVE_DATE_LITERALS = new Set([
  'YESTERDAY',
  'TODAY',
  'TOMORROW',
  'LAST_WEEK',
  'THIS_WEEK',
  'NEXT_WEEK',
  'LAST_MONTH',
  'THIS_MONTH',
  'NEXT_MONTH',
  'LAST_90_DAYS',
  'NEXT_90_DAYS',
  'THIS_YEAR',
  'LAST_YEAR',
  'NEXT_YEAR',
]);

/** Literals that take ':n'. */
export const RELATIVE_DATE_LITERALS_N = new Set([
  'LAST_N_DAYS',
  'NEXT_N_DAYS',
  'N_DAYS_AGO',
  'LAST_N_WEEKS',
  'NEXT_N_WEEKS',
  'LAST_N_MONTHS',
  'NEXT_N_MONTHS',
  'LAST_N_YEARS',
  'NEXT_N_YEARS',
]);

/** [startMs, endMs) of a relative date literal at `now` (UTC days; weeks start on Sunday). */
export function relativeDateRange(name: string, n: number | undefined, now: Date): [number, number] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const y = now.getUTCFullYear();
  const mo = now.getUTCMonth();
  const weekStart = today - now.getUTCDay() * DAY_MS;
  const k = n ?? 0;
  const month = (offset: number) => Date.UTC(y, mo + offset, 1);
  const year = (offset: number) => Date.UTC(y + offset, 0, 1);
  switch (name) {
    case 'YESTERDAY':
      return [today - DAY_MS, today];
    case 'TODAY':
      return [today, today + DAY_MS];
    case 'TOMORROW':
      return [today + DAY_MS, today + 2 * DAY_MS];
    case 'LAST_WEEK':
      return [weekStart - 7 * DAY_MS, weekStart];
    case 'THIS_WEEK':
      return [weekStart, weekStart + 7 * DAY_MS];
    case 'NEXT_WEEK':
      return [weekStart + 7 * DAY_MS, weekStart + 14 * DAY_MS];
    case 'LAST_MONTH':
      return [month(-1), month(0)];
    case 'THIS_MONTH':
      return [month(0), month(1)];
    case 'NEXT_MONTH':
      return [month(1), month(2)];
    case 'THIS_YEAR':
      return [year(0), year(1)];
    case 'LAST_YEAR':
      return [year(-1), year(0)];
    case 'NEXT_YEAR':
      return [year(1), year(2)];
    // "Starts with the current day and continues for the past n days" — today is included.
    case 'LAST_90_DAYS':
      return [today - 90 * DAY_MS, today + DAY_MS];
    case 'LAST_N_DAYS':
      return [today - k * DAY_MS, today + DAY_MS];
    // "Starts 00:00:00 of the next day and continues for the next n days."
    case 'NEXT_90_DAYS':
      return [today + DAY_MS, today + 91 * DAY_MS];
    case 'NEXT_N_DAYS':
      return [today + DAY_MS, today + (k + 1) * DAY_MS];
    case 'N_DAYS_AGO':
      return [today - k * DAY_MS, today - (k - 1) * DAY_MS];
    case 'LAST_N_WEEKS':
      return [weekStart - 7 * k * DAY_MS, weekStart];
    case 'NEXT_N_WEEKS':
      return [weekStart + 7 * DAY_MS, weekStart + 7 * (k + 1) * DAY_MS];
    case 'LAST_N_MONTHS':
      return [month(-k), month(0)];
    case 'NEXT_N_MONTHS':
      return [month(1), month(k + 1)];
    case 'LAST_N_YEARS':
      return [year(-k), year(0)];
    case 'NEXT_N_YEARS':
      return [year(1), year(k + 1)];
    default:
      throw new Error(`unknown date literal ${name}`);
  }
}

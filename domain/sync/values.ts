// Value normalisers for Salesforce field values, shared by the record mappers. They never do
// arithmetic on amounts and never build local-time Dates, so results are exact and independent of
// the machine's time zone.

/** Largest decimal exponent accepted ('1e1000'); beyond it a value is treated as unparseable. */
const MAX_DECIMAL_EXPONENT = 1000;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * An exact, canonical decimal string for a Salesforce number (REST JSON gives a number, Bulk API CSV
 * a string), or undefined when it is not a finite decimal.
 *
 * Numbers go through String(n), the shortest text that round-trips the double, so 19.99 → '19.99'
 * (never 19.989999…). Strings are converted digit by digit, never via a float, so '0.1' stays '0.1'
 * and 30-digit amounts stay exact. Exponents are expanded ('1e3' → '1000', 1e21 → '1000…0').
 * Canonical form: no exponent, no '+', no leading zeros, no trailing fractional zeros, no '-0' —
 * so a value read over REST and over Bulk maps to the same string ('19.90' and 19.9 → '19.9').
 */
export function toExactDecimal(input: number | string): string | undefined {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    text = String(input);
  } else {
    text = input.trim();
  }
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? '-' : '';
  const intDigits = m[2] ?? '';
  const fracDigits = m[3] ?? '';
  if (intDigits === '' && fracDigits === '') return undefined;
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_DECIMAL_EXPONENT) return undefined;

  const digits = intDigits + fracDigits;
  const point = intDigits.length + exponent; // position of the decimal point within `digits`
  let whole: string;
  let fraction: string;
  if (point <= 0) {
    whole = '0';
    fraction = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    whole = digits + '0'.repeat(point - digits.length);
    fraction = '';
  } else {
    whole = digits.slice(0, point);
    fraction = digits.slice(point);
  }
  whole = whole.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  if (whole === '0' && fraction === '') return '0';
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * A Salesforce date ('2024-05-31') as the same 'YYYY-MM-DD' string, or undefined when it is not a
 * real calendar day. Checked with integer arithmetic: a date has no time zone, so it must never pass
 * through a JS Date (which would shift it a day in zones west or east of UTC).
 */
export function toDateOnly(input: string): string | undefined {
  const text = input.trim();
  const m = DATE_ONLY.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return text;
}

/** Number of characters as Postgres counts them (code points, not UTF-16 units). */
export function characterLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * `text` cut to at most `max` characters. Cuts between code points, so an emoji or other astral
 * character is never split into a lone surrogate (which Postgres would reject).
 */
export function truncateCharacters(text: string, max: number): string {
  if (text.length <= max) return text; // UTF-16 length ≥ code point count: fast path
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n === max) break;
    out += ch;
    n++;
  }
  return out;
}

/**
 * Trimmed, NFC-normalised text, or null when empty. NFC so that 'José' typed on a Mac (decomposed)
 * and on Windows (composed) is one string for comparisons and the unique email index.
 */
export function cleanText(text: string): string | null {
  const cleaned = text.normalize('NFC').trim();
  return cleaned === '' ? null : cleaned;
}

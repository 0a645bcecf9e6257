// Salesforce record Ids: a 3-character key prefix, 12 more case-sensitive base-62 characters,
// then (in the 18-character form) a 3-character suffix that encodes the case of the first 15 so
// case-insensitive systems can still tell Ids apart.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const KEY_PREFIXES = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  Task: '00T',
  OpportunityContactRole: '00K',
  Organization: '00D',
  QueryLocator: '01g',
  BulkJob: '750',
} as const;

/** The 3-character suffix of an 18-character Id, computed from its first 15 characters. */
export function checksumSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charCodeAt(chunk * 5 + i);
      if (ch >= 65 && ch <= 90) bits |= 1 << i; // 'A'..'Z'
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/** Normalises a 15- or 18-character Id to 18 characters; undefined when it is not an Id or its suffix is wrong. */
export function to18(id: string): string | undefined {
  if (!ID_PATTERN.test(id)) return undefined;
  const id15 = id.slice(0, 15);
  const full = id15 + checksumSuffix(id15);
  // An 18-character Id is compared case-insensitively on its suffix, like Salesforce does.
  if (id.length === 18 && id.slice(15).toUpperCase() !== full.slice(15)) return undefined;
  return full;
}

function base62(n: number, width: number): string {
  let out = '';
  let rest = n;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

/**
 * Issues Ids from counters kept per key prefix, so a fresh emulator produces the same Ids for
 * the same sequence of inserts (tests and seeded demos are reproducible).
 */
export class IdGenerator {
  private counters = new Map<string, number>();

  constructor(private readonly pod = 'Ka') {}

  /** The counters, for a saved emulator (persistence.ts). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  restoreCounts(counts: Record<string, number>): void {
    this.counters = new Map(Object.entries(counts));
  }

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    const id15 = prefix + this.pod + '0' + base62(n, 9);
    return id15 + checksumSuffix(id15);
  }
}

// The emulator's notion of "now": real time plus an offset, so tests can jump a day ahead in
// milliseconds to exercise 24-hour usage windows and session expiry.
export class Clock {
  offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Salesforce's JSON datetime form: `2024-05-01T12:34:56.000+0000`. */
export const sfDateTime = (isoUtc: string): string => isoUtc.replace(/Z$/, '+0000');

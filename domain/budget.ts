// The integration's share of the org's daily API quota. Salesforce orgs share one rolling-24 h limit
// among every tool the customer runs: heavy sync work spends only its allocation, and never takes the
// org below a safety margin, so the sync is never the tool that locks a customer out of their org.

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Default allocation: this share of the org's daily limit (support changes it per connection). */
export const DEFAULT_SHARE = 0.5;
/** Heavy work stops while fewer than this share of the org's limit would remain. */
export const SAFETY_MARGIN_SHARE = 0.05;

/**
 * Salesforce calls the OAuth callback makes per grant (jsforce's identity lookup reads the REST API's
 * version resource for the identity URL): counted with the connection's own calls, at the grant time.
 */
export const CALLS_PER_GRANT = 1;

/** What support set: a share of the org's limit, or a fixed number of calls a day (wins when both). */
export interface Allocation {
  share?: number;
  dailyCalls?: number;
}

/** Why an allocation is not usable, or null. */
export function allocationProblem(allocation: Allocation): string | null {
  const { share, dailyCalls } = allocation;
  if (share === undefined && dailyCalls === undefined) return 'give share (0..1 of the org daily limit) or dailyCalls (calls per 24 h)';
  if (share !== undefined && !(share > 0 && share <= 1)) return `share ${share} must be more than 0 and at most 1`;
  if (dailyCalls !== undefined && !(Number.isInteger(dailyCalls) && dailyCalls > 0)) return `dailyCalls ${dailyCalls} must be a whole number above 0`;
  return null;
}

/** The calls per rolling 24 h the integration may spend, given the org's daily limit. */
export function allowedCalls(allocation: Allocation | null, orgLimit: number): number {
  if (allocation?.dailyCalls !== undefined) return Math.min(allocation.dailyCalls, orgLimit);
  return Math.floor(orgLimit * (allocation?.share ?? DEFAULT_SHARE));
}

/** Our own calls, in buckets by minute (bounded: at most 1,440 entries a day), carried across runs. */
export type CallLog = Array<[minuteStartMs: number, calls: number]>;

export function recordCalls(log: CallLog, atMs: number, calls: number): void {
  if (calls <= 0) return;
  // Buckets that left the rolling 24 h are dropped here (reading the count changes nothing).
  while (log.length > 0 && log[0]![0] + 60_000 <= atMs - DAY_MS) log.shift();
  const minute = atMs - (atMs % 60_000);
  const last = log[log.length - 1];
  if (last && last[0] === minute) last[1] += calls;
  else log.push([minute, calls]);
}

/** Our calls inside the rolling 24 h (a bucket counts until its last minute left the window). */
export function callsInLastDay(log: CallLog, nowMs: number): number {
  return log.reduce((sum, [minute, calls]) => (minute + 60_000 > nowMs - DAY_MS ? sum + calls : sum), 0);
}

/** The org's latest reading from Sforce-Limit-Info. */
export interface OrgUsage {
  used: number;
  max: number;
}

export type BudgetVerdict = { ok: true } | { ok: false; reason: 'allocation' | 'org_margin'; message: string; retryAtMs: number };

/**
 * May heavy work spend `cost` more calls now? No when our 24 h count would pass the allocation (it
 * returns as our oldest buckets leave the window), or when the org would be left under the safety
 * margin (re-checked after `recheckMs`, since other tools' use is only seen in the next reading).
 */
export function checkBudget(input: {
  log: CallLog;
  nowMs: number;
  cost: number;
  allocation: Allocation | null;
  org: OrgUsage | null;
  recheckMs: number;
}): BudgetVerdict {
  const { log, nowMs, cost, org } = input;
  if (!org) return { ok: true }; // no reading yet: the first call brings one
  const allowed = allowedCalls(input.allocation, org.max);
  const ours = callsInLastDay(log, nowMs);
  if (ours + cost > allowed) {
    return { ok: false, reason: 'allocation', message: `The integration used ${ours} of its ${allowed} calls allocated for 24 h`, retryAtMs: freedAt(log, ours + cost - allowed, nowMs) };
  }
  const margin = Math.ceil(org.max * SAFETY_MARGIN_SHARE);
  if (org.max - org.used - cost < margin) {
    return { ok: false, reason: 'org_margin', message: `The org has ${Math.max(0, org.max - org.used)} of ${org.max} daily API calls left (keeping ${margin} for other tools)`, retryAtMs: nowMs + input.recheckMs };
  }
  return { ok: true };
}

/** When `needed` of our calls will have left the rolling 24 h. */
function freedAt(log: CallLog, needed: number, nowMs: number): number {
  let freed = 0;
  for (const [minute, calls] of log) {
    if (minute + 60_000 <= nowMs - DAY_MS) continue; // already outside the window
    freed += calls;
    if (freed >= needed) return Math.max(nowMs + 1_000, minute + 60_000 + DAY_MS);
  }
  return nowMs + DAY_MS;
}

/** Days an initial sync of `cost` calls needs within `perDay` calls a day (at least 1). */
export function daysNeeded(cost: number, perDay: number): number {
  return perDay <= 0 ? Infinity : Math.max(1, Math.ceil(cost / perDay));
}

// API usage per org over a rolling 24-hour window, as Salesforce counts it for DailyApiRequests.
// Each counted call is one timestamp in an append-only log; the window start only moves forward
// (a head index), so checking the count on every request is amortised O(1).

const DAY_MS = 24 * 60 * 60 * 1000;

class RollingLog {
  private times: number[] = [];
  private labels: string[] = [];
  private head = 0;

  add(at: number, label = ''): void {
    this.times.push(at);
    this.labels.push(label);
  }

  /** Entries inside (now - 24h, now]; entries "from the future" (clock moved back) still count. */
  count(now: number): number {
    this.expire(now);
    return this.times.length - this.head;
  }

  byLabel(now: number): Record<string, number> {
    this.expire(now);
    const out: Record<string, number> = {};
    for (let i = this.head; i < this.labels.length; i++) {
      const label = this.labels[i]!;
      out[label] = (out[label] ?? 0) + 1;
    }
    return out;
  }

  /** Entries still inside the window, for a saved emulator (persistence.ts). */
  entries(now: number): [number, string][] {
    this.expire(now);
    return this.times.slice(this.head).map((at, i) => [at, this.labels[this.head + i]!]);
  }

  restore(entries: [number, string][]): void {
    this.times = entries.map(([at]) => at);
    this.labels = entries.map(([, label]) => label);
    this.head = 0;
  }

  private expire(now: number): void {
    const cutoff = now - DAY_MS;
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) this.head++;
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.labels = this.labels.slice(this.head);
      this.head = 0;
    }
  }
}

export interface UsageReport {
  total: number;
  /** Calls per Connected App (client id) of the caller's session; "other tools" for calls added by the control API. */
  byClient: Record<string, number>;
  refused: number;
  tokenRequests: number;
  byEndpoint: Record<string, number>;
  limit: number;
}

/** The client label of calls other tools of the org spent (the control API's busy-org simulation). */
export const OTHER_TOOLS = 'other tools';

export class UsageMeter {
  private calls = new RollingLog();
  private clientCalls = new RollingLog();
  private refusedCalls = new RollingLog();
  private tokenCalls = new RollingLog();

  used(now: number): number {
    return this.calls.count(now);
  }

  recordCall(now: number, endpoint: string, clientId = ''): void {
    this.calls.add(now, endpoint);
    this.clientCalls.add(now, clientId);
  }

  /** Calls another tool of the org made (simulates a busy org): they count toward the daily limit. */
  recordOtherTools(now: number, calls: number): void {
    for (let i = 0; i < calls; i++) this.recordCall(now, OTHER_TOOLS, OTHER_TOOLS);
  }

  recordRefused(now: number, endpoint: string): void {
    this.refusedCalls.add(now, endpoint);
  }

  recordTokenRequest(now: number): void {
    this.tokenCalls.add(now);
  }

  report(now: number, limit: number): UsageReport {
    return {
      total: this.calls.count(now),
      byClient: this.clientCalls.byLabel(now),
      refused: this.refusedCalls.count(now),
      tokenRequests: this.tokenCalls.count(now),
      byEndpoint: this.calls.byLabel(now),
      limit,
    };
  }

  /** The last 24 hours' calls, for a saved emulator (persistence.ts). */
  snapshot(now: number): UsageSnapshot {
    return { calls: this.calls.entries(now), refused: this.refusedCalls.entries(now), tokens: this.tokenCalls.entries(now) };
  }

  restore(saved: UsageSnapshot): void {
    this.calls.restore(saved.calls);
    this.refusedCalls.restore(saved.refused);
    this.tokenCalls.restore(saved.tokens);
  }
}

export interface UsageSnapshot {
  calls: [number, string][];
  refused: [number, string][];
  tokens: [number, string][];
}

/**
 * Groups a request path into an endpoint label ("GET /query", "GET /sobjects/Contact/describe")
 * so usage reports say which calls a sync spends its quota on.
 */
export function endpointLabel(method: string, path: string): string {
  const rest = path.replace(/^\/services\/data\/v\d+\.\d+/, '') || '/';
  const normalised = rest
    .replace(/\/(query|queryAll)\/[^/]+$/, '/$1/:locator')
    .replace(/\/jobs\/query\/[^/]+/, '/jobs/query/:jobId')
    .replace(/\/[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?(?=\/|$)/g, (m) => (/\d/.test(m) ? '/:id' : m))
    .replace(/\/$/, '');
  return `${method} ${normalised || '/'}`;
}

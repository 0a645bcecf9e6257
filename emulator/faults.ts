// Per-org fault injection: latency, a rate of transient 503s, and forced errors on matching
// requests, so retry and backoff code can be exercised deterministically.

export interface ForcedError {
  /** Matches when the request method equals this (case-insensitive). */
  method?: string;
  /** Matches when the path (without /services/data/vNN.0) contains this text. */
  path?: string;
  status: number;
  errorCode: string;
  message?: string;
  /** How many matching requests fail; unlimited when absent. */
  times?: number;
}

export interface FaultSettings {
  latencyMs?: number;
  /** Each API call also waits a random 0..latencyJitterMs more (seeded): uneven, not fixed, slowness. */
  latencyJitterMs?: number;
  /** Every Nth API call finds its session ended (as if it timed out): 401 INVALID_SESSION_ID, the client must refresh. */
  expireSessionEveryCalls?: number;
  /** 0..1: share of API calls answered 503 SERVER_UNAVAILABLE. */
  transientErrorRate?: number;
  forcedErrors?: ForcedError[];
  /** Added to the global clock for this org only. */
  clockOffsetMs?: number;
  /** Seed of the pseudo-random sequence deciding which calls fail transiently. */
  seed?: number;
  /**
   * Refresh requests for this org's grants wait this long before they are processed (a slow or
   * hanging login host): nothing is issued or rotated until then, and nothing if the client gave up.
   */
  tokenLatencyMs?: number;
  /**
   * Refresh requests are processed at once (a rotation takes effect) but answered this much later:
   * a client that dies meanwhile never learns its new refresh token.
   */
  tokenResponseDelayMs?: number;
  /** Bulk API 2.0 query jobs stay InProgress this long after creation (a slow job: polls keep answering InProgress). */
  bulkJobProcessingMs?: number;
  /**
   * A write (sObject Collections, an sObject row, composite) matching this is saved as usual, then the
   * connection is destroyed without an answer: the records exist but the client never learns their Ids.
   */
  dropResponseAfterCommit?: DroppedResponse;
}

export interface DroppedResponse {
  /** Matches when the request method equals this (case-insensitive). */
  method?: string;
  /** Matches when the path (without /services/data/vNN.0) contains this text. */
  path?: string;
  /** How many matching writes lose their answer; unlimited when absent. */
  times?: number;
}

/**
 * Faults of a login host (not of one org): its revoke endpoint answering 503 (the host unreachable
 * behind Salesforce's edge), or holding the request unanswered until the fault is cleared.
 */
export interface LoginHostFaults {
  revoke?: 'unavailable' | 'hang';
}

/** Waits `ms` (an injected delay); false when the client went away first. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0 || signal.aborted) return Promise.resolve(!signal.aborted);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(!signal.aborted), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(false);
    }, { once: true });
  });
}

/** mulberry32: tiny, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface InjectedFailure {
  status: number;
  errorCode: string;
  message: string;
}

export class Faults {
  settings: FaultSettings = {};
  private random = seededRandom(1);
  private remaining = new Map<ForcedError, number>();
  private droppedResponsesLeft = 0;
  private callsSinceExpiry = 0;

  configure(settings: FaultSettings): void {
    this.settings = { ...settings };
    this.random = seededRandom(settings.seed ?? 1);
    this.remaining = new Map((settings.forcedErrors ?? []).map((f) => [f, f.times ?? Infinity]));
    this.droppedResponsesLeft = settings.dropResponseAfterCommit ? settings.dropResponseAfterCommit.times ?? Infinity : 0;
    this.callsSinceExpiry = 0;
  }

  /** The delay for this call: latencyMs plus its random share of latencyJitterMs. */
  nextLatencyMs(): number {
    const jitter = this.settings.latencyJitterMs ?? 0;
    return this.latencyMs + (jitter > 0 ? Math.floor(this.random() * jitter) : 0);
  }

  /** Whether this call's session ends now (every Nth call with expireSessionEveryCalls set). */
  takeSessionExpiry(): boolean {
    const every = this.settings.expireSessionEveryCalls ?? 0;
    if (every <= 0) return false;
    if (++this.callsSinceExpiry < every) return false;
    this.callsSinceExpiry = 0;
    return true;
  }

  /** Whether this committed write loses its answer; consumes one use of the fault. */
  takeDroppedResponse(method: string, apiPath: string): boolean {
    const rule = this.settings.dropResponseAfterCommit;
    if (!rule || this.droppedResponsesLeft <= 0) return false;
    if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
    if (rule.path && !apiPath.includes(rule.path)) return false;
    this.droppedResponsesLeft--;
    return true;
  }

  get clockOffsetMs(): number {
    return this.settings.clockOffsetMs ?? 0;
  }

  get latencyMs(): number {
    return this.settings.latencyMs ?? 0;
  }

  get tokenLatencyMs(): number {
    return this.settings.tokenLatencyMs ?? 0;
  }

  get tokenResponseDelayMs(): number {
    return this.settings.tokenResponseDelayMs ?? 0;
  }

  /** Decides whether this API call fails by injection; consumes one use of a matching forced error. */
  pick(method: string, apiPath: string): InjectedFailure | undefined {
    for (const [rule, left] of this.remaining) {
      if (left <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path && !apiPath.includes(rule.path)) continue;
      this.remaining.set(rule, left - 1);
      return { status: rule.status, errorCode: rule.errorCode, message: rule.message ?? `Injected ${rule.errorCode}` };
    }
    const rate = this.settings.transientErrorRate ?? 0;
    if (rate > 0 && this.random() < rate) {
      return { status: 503, errorCode: 'SERVER_UNAVAILABLE', message: 'Server unavailable, please try again later.' };
    }
    return undefined;
  }
}

// The gate every instance API call passes: API version, session, edition, injected faults,
// the daily request limit, usage counting, and the Sforce-Limit-Info header on the way out.
import type { Context, MiddlewareHandler } from 'hono';
import { bearerToken } from '../oauth/routes.js';
import type { AccessToken } from '../oauth/tokens.js';
import type { EmulatorState, Org, UserAccount } from '../store.js';
import { expireRecycleBin } from '../recycle-bin.js';
import { endpointLabel } from '../usage.js';
import { notFound, SfError } from './errors.js';
import { parseVersion } from './versions.js';

export interface ApiCaller {
  org: Org;
  user: UserAccount;
  token: AccessToken;
}

export interface ApiEnv {
  Variables: { caller: ApiCaller; apiVersion: string };
  /** Composite subrequests are dispatched in-process with the caller already established. */
  Bindings: { internalCaller?: ApiCaller };
}

export type ApiContext = Context<ApiEnv>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function limitInfo(org: Org): string {
  return `api-usage=${org.usage.used(org.now())}/${org.settings.dailyApiLimit}`;
}

export function apiGate(state: EmulatorState): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const versionSegment = c.req.path.split('/')[3] ?? '';
    const apiVersion = parseVersion(versionSegment);
    if (!apiVersion) throw notFound();
    c.set('apiVersion', apiVersion);

    const internal = c.env?.internalCaller;
    if (internal) {
      c.set('caller', internal);
      await next();
      return;
    }

    const token = state.tokens.accessTokens.get(bearerToken(c) ?? '');
    const org = token ? state.org(token.orgId) : undefined;
    const user = token && org ? org.users.get(token.userId) : undefined;
    if (!token || !org || !user) {
      c.header('WWW-Authenticate', 'Token');
      throw new SfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    c.header('Sforce-Limit-Info', limitInfo(org));
    // Fault: the session ends now, exactly as a timed-out one (issued at the epoch is long expired).
    if (org.faults.takeSessionExpiry()) token.issuedAt = 0;
    if (state.tokens.accessTokenState(token, org.now(), org.settings.sessionTimeoutSeconds * 1000) !== 'active') {
      c.header('WWW-Authenticate', 'Token');
      throw new SfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    if (!org.apiEnabled) {
      throw new SfError(403, 'API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.');
    }
    const longRequest = holdLongRequestSlot(org, endpointLabel(c.req.method, c.req.path));
    try {
      const delay = org.faults.nextLatencyMs();
      if (delay > 0) await sleep(delay);
      await admitted(c, next, { org, user, token });
    } finally {
      longRequest?.release();
    }
  };
}

/**
 * Salesforce refuses a request with REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn Limit exceeded."
 * while the org already runs its limit of long requests (over 20 s). The emulator's model: with the
 * org's concurrentLongRequestLimit set, every request held by a latency fault counts as long while it
 * is in flight; a request arriving when that many are in flight is refused at once (not counted as used).
 */
const longRequestsInFlight = new WeakMap<Org, number>();

function holdLongRequestSlot(org: Org, endpoint: string): { release(): void } | undefined {
  const limit = org.settings.concurrentLongRequestLimit;
  if (limit === undefined || limit === null || org.faults.latencyMs <= 0) return undefined;
  const inFlight = longRequestsInFlight.get(org) ?? 0;
  if (inFlight >= limit) {
    org.usage.recordRefused(org.now(), endpoint);
    throw new SfError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
  }
  longRequestsInFlight.set(org, inFlight + 1);
  return { release: () => longRequestsInFlight.set(org, (longRequestsInFlight.get(org) ?? 1) - 1) };
}

/** Past the session, edition and concurrency checks: faults, the daily limit, usage, then the route. */
async function admitted(c: ApiContext, next: () => Promise<void>, caller: ApiCaller): Promise<void> {
  const { org } = caller;
  const apiPath = c.req.path.replace(/^\/services\/data\/v\d+\.\d+/, '');
  const injected = org.faults.pick(c.req.method, apiPath);
  if (injected) throw new SfError(injected.status as 400, injected.errorCode, injected.message);

  const endpoint = endpointLabel(c.req.method, c.req.path);
  const now = org.now();
  if (org.usage.used(now) >= org.settings.dailyApiLimit) {
    org.usage.recordRefused(now, endpoint);
    throw new SfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  }
  org.usage.recordCall(now, endpoint, caller.token.clientId);
  c.header('Sforce-Limit-Info', limitInfo(org));
  expireRecycleBin(org);
  c.set('caller', caller);
  await next();
}

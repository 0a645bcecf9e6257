// The gate every instance API call passes: API version, session, edition, injected faults,
// the daily request limit, usage counting, and the Sforce-Limit-Info header on the way out.
import type { Context, MiddlewareHandler } from 'hono';
import { bearerToken } from '../oauth/routes.js';
import type { AccessToken } from '../oauth/tokens.js';
import type { EmulatorState, Org, UserAccount } from '../store.js';
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
    if (state.tokens.accessTokenState(token, org.now(), org.settings.sessionTimeoutSeconds * 1000) !== 'active') {
      c.header('WWW-Authenticate', 'Token');
      throw new SfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    if (!org.apiEnabled) {
      throw new SfError(403, 'API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.');
    }
    if (org.faults.latencyMs > 0) await sleep(org.faults.latencyMs);
    const apiPath = c.req.path.replace(/^\/services\/data\/v\d+\.\d+/, '');
    const injected = org.faults.pick(c.req.method, apiPath);
    if (injected) throw new SfError(injected.status as 400, injected.errorCode, injected.message);

    const endpoint = endpointLabel(c.req.method, c.req.path);
    const now = org.now();
    if (org.usage.used(now) >= org.settings.dailyApiLimit) {
      org.usage.recordRefused(now, endpoint);
      throw new SfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    org.usage.recordCall(now, endpoint);
    c.header('Sforce-Limit-Info', limitInfo(org));
    c.set('caller', { org, user, token });
    await next();
  };
}

import { setDefaults } from 'jsforce/lib/request.js';

const DEFAULT_TIMEOUT_MS = 60_000;
let timeoutMs: number | undefined;

/**
 * Every Salesforce HTTP call (token, REST, Bulk) gives up after `ms`. jsforce 3 reads its request
 * timeout from one process-wide default (30 minutes unless set) and its Connection methods take no
 * per-call timeout, so this sets that default, keeping jsforce's own proxy and redirect defaults.
 */
export function useSalesforceHttpTimeout(ms: number): void {
  if (timeoutMs === ms) return;
  timeoutMs = ms;
  setDefaults({
    httpProxy: process.env.https_proxy ?? process.env.http_proxy ?? process.env.HTTPS_PROXY ?? process.env.HTTP_PROXY ?? undefined,
    timeout: ms,
    followRedirect: true,
  });
}

/** The timeout our own fetches to Salesforce use (Bulk result pages, token requests). */
export function salesforceHttpTimeoutMs(): number {
  return timeoutMs ?? DEFAULT_TIMEOUT_MS;
}

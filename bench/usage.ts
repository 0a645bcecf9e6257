import type { UsageReport } from '../emulator/usage.js';

/** Per-endpoint API calls the emulator counted between two usage reports. */
export function usageDelta(before: UsageReport, after: UsageReport): { total: number; byEndpoint: Record<string, number> } {
  const byEndpoint: Record<string, number> = {};
  for (const [endpoint, count] of Object.entries(after.byEndpoint)) {
    const delta = count - (before.byEndpoint[endpoint] ?? 0);
    if (delta > 0) byEndpoint[endpoint] = delta;
  }
  return { total: after.total - before.total, byEndpoint };
}

export const sumWhere = (byEndpoint: Record<string, number>, keep: (endpoint: string) => boolean) =>
  Object.entries(byEndpoint).reduce((sum, [endpoint, count]) => (keep(endpoint) ? sum + count : sum), 0);

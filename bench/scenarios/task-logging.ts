import { measure } from '../child-process.js';
import type { ScenarioResult } from '../report.js';
import { waitFor } from '../status.js';
import type { BenchOrg, BenchSystem } from '../system.js';
import { sumWhere, usageDelta } from '../usage.js';

const FOLLOWUPS = 1_000;

/**
 * Task logging: 1,000 follow-ups posted at once to POST /api/followups (for mirrored contacts), timed
 * from each POST to its `logged_at`, with the Salesforce calls it took. The read lane keeps polling
 * meanwhile, so the org's total usage includes its incremental cycles; the collection calls are the
 * Tasks' own.
 */
export async function taskLoggingScenario(system: BenchSystem, org: BenchOrg, accountId: string): Promise<ScenarioResult> {
  const contacts = await system.db
    .selectFrom('contacts')
    .select('email')
    .where('account_id', '=', accountId)
    .where('email', 'is not', null)
    .where('salesforce_contact_id', 'is not', null)
    .orderBy('id')
    .limit(FOLLOWUPS)
    .execute();
  const usageBefore = await system.control.usage(org.orgId);
  const processes = measure([system.processes.api, system.processes.worker]);
  const run = Date.now().toString(36);
  const postedAt = new Map<string, number>();
  const started = Date.now();
  const answers = await Promise.all(
    contacts.map(async ({ email }, i) => {
      const followupId = `bench-${run}-${i}`;
      postedAt.set(followupId, Date.now());
      const response = await system.call('/api/followups', {
        method: 'POST',
        body: JSON.stringify({ followupId, accountId, contactEmail: email, sentAt: new Date().toISOString(), subject: `Bench follow-up ${i}`, body: 'Thanks for your time today.' }),
      });
      return response.status;
    }),
  );
  const postSeconds = (Date.now() - started) / 1000;
  if (answers.some((status) => status !== 202)) throw new Error(`POST /api/followups answered ${answers.find((status) => status !== 202)}`);
  const ids = [...postedAt.keys()];
  const rows = await waitFor('every follow-up logged', async () => {
    const done = await system.db.selectFrom('followups').select(['id', 'task_status', 'logged_at']).where('id', 'in', ids).where('task_status', '!=', 'pending').execute();
    return done.length === ids.length ? done : undefined;
  }, { timeoutMs: 180_000, intervalMs: 100 });
  const own = processes.stop();
  const delta = usageDelta(usageBefore, await system.control.usage(org.orgId));
  const latencies = rows.filter((row) => row.logged_at).map((row) => row.logged_at!.getTime() - postedAt.get(row.id)!).sort((a, b) => a - b);
  const collectionCalls = sumWhere(delta.byEndpoint, (endpoint) => endpoint.startsWith('POST') && endpoint.includes('composite/sobjects'));
  const perThousand = (n: number) => (n * 1_000) / ids.length;
  return {
    scenario: 'task-logging',
    metrics: [
      { metric: 'follow-ups posted at once', value: ids.length, unit: 'follow-ups' },
      { metric: 'logged / failed', value: `${rows.filter((r) => r.task_status === 'logged').length} / ${rows.filter((r) => r.task_status === 'failed').length}`, unit: '' },
      { metric: 'collection calls per 1,000 follow-ups', value: perThousand(collectionCalls), unit: 'calls' },
      { metric: 'org API calls per 1,000 during the run (read lane included)', value: perThousand(delta.total), unit: 'calls' },
      { metric: 'POST → logged p50', value: percentile(latencies, 0.5) / 1000, unit: 's' },
      { metric: 'POST → logged p95', value: percentile(latencies, 0.95) / 1000, unit: 's' },
      { metric: 'API process alone: CPU / peak RSS', value: `${own.api!.cpuSeconds.toFixed(1)} s / ${Math.round(own.api!.peakRssMiB)} MiB`, unit: '' },
      { metric: 'worker process alone: CPU / peak RSS', value: `${own.worker!.cpuSeconds.toFixed(1)} s / ${Math.round(own.worker!.peakRssMiB)} MiB`, unit: '' },
    ],
    details: { postSeconds, processes: own, emulatorUsageDelta: delta, latencyMs: { min: latencies[0], max: latencies.at(-1) } },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

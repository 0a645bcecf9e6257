import type { BenchOptions } from '../args.js';
import type { ScenarioResult } from '../report.js';
import { waitFor } from '../status.js';
import type { BenchOrg, BenchSystem } from '../system.js';
import type { SeededOrg } from './initial-sync.js';

/** Samples of each latency, started this far apart (so they land at different points of the poll cycle). */
const SAMPLES = 10;
const STAGGER_MS = 200;

/**
 * One change at a time, the way users make them, each timed on its own: a Salesforce edit until the
 * row in Postgres shows it; a FastFollow edit (an UPDATE of `contacts`) until the outbox marks it
 * written to Salesforce; a single posted follow-up until it is `logged`. All at the run's poll interval.
 */
export async function latenciesScenario(system: BenchSystem, org: BenchOrg, accountId: string, seeded: SeededOrg, options: BenchOptions): Promise<ScenarioResult> {
  // The last contacts: the incremental scenario changed the first ones.
  const ids = seeded.contactIds.slice(-3 * SAMPLES);
  const run = Date.now().toString(36);
  const [toPostgres, toSalesforce, toLogged] = await Promise.all([
    staggered(ids.slice(0, SAMPLES), (id, i) => salesforceToPostgres(system, org, id, `+1 555 02${run.slice(-3)}${i}`)),
    staggered(ids.slice(SAMPLES, 2 * SAMPLES), (id, i) => fastfollowToSalesforce(system, accountId, id, `+1 555 03${run.slice(-3)}${i}`)),
    staggered(ids.slice(2 * SAMPLES), (id, i) => followupToLogged(system, accountId, id, `bench-latency-${run}-${i}`)),
  ]);
  const row = (name: string, sorted: number[]) => [
    { metric: `${name} p50`, value: percentile(sorted, 0.5) / 1000, unit: 's' },
    { metric: `${name} p95`, value: percentile(sorted, 0.95) / 1000, unit: 's' },
  ];
  return {
    scenario: 'latencies',
    metrics: [
      { metric: `poll interval (SYNC_POLL_INTERVAL); ${SAMPLES} single changes each, ${STAGGER_MS} ms apart`, value: options.pollInterval, unit: '' },
      ...row('Salesforce edit → row in Postgres', toPostgres),
      ...row('FastFollow edit → written to Salesforce', toSalesforce),
      ...row('one follow-up POST → logged', toLogged),
    ],
    details: { pollInterval: options.pollInterval, samples: SAMPLES, latencyMs: { salesforceToPostgres: toPostgres, fastfollowToSalesforce: toSalesforce, followupToLogged: toLogged } },
  };
}

async function staggered(ids: string[], measureOne: (id: string, i: number) => Promise<number>): Promise<number[]> {
  const runs = ids.map(async (id, i) => {
    await new Promise((resolve) => setTimeout(resolve, i * STAGGER_MS));
    return measureOne(id, i);
  });
  return (await Promise.all(runs)).sort((a, b) => a - b);
}

async function salesforceToPostgres(system: BenchSystem, org: BenchOrg, salesforceId: string, phone: string): Promise<number> {
  const started = Date.now();
  await system.control.updateRecords(org.orgId, 'Contact', [{ Id: salesforceId, Phone: phone }]);
  await waitFor(`contact ${salesforceId} updated in Postgres`, async () => {
    const found = await system.db.selectFrom('contacts').select('id').where('salesforce_contact_id', '=', salesforceId).where('phone', '=', phone).executeTakeFirst();
    return found ?? undefined;
  }, { timeoutMs: 60_000, intervalMs: 20 });
  return Date.now() - started;
}

/** From the edit's commit to the outbox saying Salesforce accepted it (both timestamps from Postgres's clock). */
async function fastfollowToSalesforce(system: BenchSystem, accountId: string, salesforceId: string, phone: string): Promise<number> {
  await system.db.updateTable('contacts').set({ phone }).where('account_id', '=', accountId).where('salesforce_contact_id', '=', salesforceId).execute();
  const written = await waitFor(`the edit of ${salesforceId} written to Salesforce`, async () => {
    const entry = await system.db.selectFrom('salesforce_outbox').select(['status', 'changed_at', 'finished_at']).where('salesforce_id', '=', salesforceId).where('new_value', '=', phone).executeTakeFirst();
    if (entry?.status === 'failed') throw new Error(`write-back of ${salesforceId} failed`);
    return entry?.status === 'written' && entry.finished_at ? entry : undefined;
  }, { timeoutMs: 60_000, intervalMs: 20 });
  return written.finished_at!.getTime() - written.changed_at.getTime();
}

async function followupToLogged(system: BenchSystem, accountId: string, salesforceId: string, followupId: string): Promise<number> {
  const contact = await system.db.selectFrom('contacts').select('email').where('salesforce_contact_id', '=', salesforceId).executeTakeFirstOrThrow();
  const posted = Date.now();
  const response = await system.call('/api/followups', {
    method: 'POST',
    body: JSON.stringify({ followupId, accountId, contactEmail: contact.email, sentAt: new Date().toISOString(), subject: 'Bench latency follow-up', body: 'One follow-up on its own.' }),
  });
  if (response.status !== 202) throw new Error(`POST /api/followups answered ${response.status}: ${await response.text()}`);
  const row = await waitFor(`follow-up ${followupId} logged`, async () => {
    const found = await system.db.selectFrom('followups').select(['task_status', 'logged_at']).where('id', '=', followupId).where('task_status', '!=', 'pending').executeTakeFirst();
    return found ?? undefined;
  }, { timeoutMs: 60_000, intervalMs: 20 });
  if (row.task_status !== 'logged' || !row.logged_at) throw new Error(`follow-up ${followupId} ended ${row.task_status}`);
  return row.logged_at.getTime() - posted;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

// `--realistic`: the initial sync against a slow org (latency on every API call, Bulk jobs that take their
// time), set beside its critical path: how long it must take even if every wait that can overlap did.
import type { RealisticSettings } from '../critical-path.js';
import { realisticResult, type InitialDetails } from '../realistic-report.js';
import type { ScenarioResult } from '../report.js';
import type { BenchOrg, BenchSystem } from '../system.js';
import type { Timeline } from '../timeline.js';
import { initialSyncScenario, type SeededOrg } from './initial-sync.js';

/** Same sequence every run: the jitter a run sees is repeatable. */
const LATENCY_SEED = 15;

/**
 * Makes the bench org slow: every API call (REST and Bulk, not token requests: the emulator delays only
 * calls to the instance) waits latency + jitter, and each Bulk job created from now on stays InProgress
 * for the later of `bulkJobMs` (wall clock) and `bulkMsPerThousand` per 1,000 rows (org clock).
 * Called after seeding (the control API is never delayed, but the order keeps that plain) and before connecting.
 */
export async function slowDownOrg(system: BenchSystem, org: BenchOrg, settings: RealisticSettings): Promise<void> {
  await system.control.setFaults(org.orgId, { latencyMs: settings.latencyMs, latencyJitterMs: settings.latencyJitterMs, seed: LATENCY_SEED, bulkJobProcessingMs: settings.bulkJobMs });
  await system.control.updateOrg(org.orgId, { bulkProcessingMsPerThousand: settings.bulkMsPerThousand });
}

/** Runs the initial sync scenario on the slowed org; returns its result and the realistic comparison. */
export async function realisticSyncScenario(system: BenchSystem, org: BenchOrg, accountId: string, seeded: SeededOrg, settings: RealisticSettings): Promise<ScenarioResult[]> {
  await slowDownOrg(system, org, settings);
  const initial = await initialSyncScenario(system, org, accountId, seeded);
  // The initial-sync scenario read the workflow history's timeline already (for its per-object figures).
  const details = initial.details as unknown as InitialDetails & { timeline: Timeline };
  const timeline = details.timeline;
  return [initial, realisticResult(details, seeded.counts, settings, system.config.SYNC_BULK_MIN_RECORDS, timeline)];
}


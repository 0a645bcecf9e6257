// The realistic mode's yardstick: how long an initial sync must take against a slow org even if every
// wait that can overlap does, i.e. the Salesforce waits that cannot (one call needs the previous one's
// answer) plus Bulk processing. Pure: the bench's realistic scenario and its unit test share it.
import { BULK_PAGE_SIZE, chooseReadMethod, REST_PAGE_SIZE } from '../domain/sync/plan.js';
import { SYNCED_OBJECTS, type SyncedObject } from '../domain/synced-objects.js';

/** What the emulator is told to do to every API call and Bulk job of the bench org. */
export interface RealisticSettings {
  /** Each API call waits latencyMs plus a random 0..latencyJitterMs. */
  latencyMs: number;
  latencyJitterMs: number;
  /** A Bulk query job stays InProgress this long per 1,000 records (org clock)… */
  bulkMsPerThousand: number;
  /** …and at least this long (wall clock) after it was created: the emulator takes the later of the two. */
  bulkJobMs: number;
}

export interface ObjectChain {
  object: SyncedObject;
  records: number;
  method: 'rest' | 'bulk';
  /** REST: query pages; Bulk: result chunks. Each needs the previous one's locator. */
  serialFetches: number;
  /** Bulk only: how long the job processes (0 for REST). */
  processingMs: number;
  /** REST: pages × L. Bulk: L (create) + processing + L (the poll that sees JobComplete) + chunks × L. */
  chainMs: number;
}

export interface CriticalPath {
  /** Mean latency of one call: latencyMs + latencyJitterMs / 2. */
  meanLatencyMs: number;
  /** The OAuth callback's identity check (GET /services/data/vNN.N): inside the wall time, before the sync starts. */
  connectMs: number;
  /** The plan's record counts (one call, or one per object asked in parallel). */
  planMs: number;
  objects: ObjectChain[];
  /** The object whose chain is longest: the one the initial sync waits for. */
  longest: SyncedObject;
  /** connect + plan + the longest chain. */
  totalMs: number;
}

/** How long the emulator keeps a Bulk job over `records` rows InProgress: the later of its two clocks. */
export function bulkProcessingMs(records: number, settings: Pick<RealisticSettings, 'bulkMsPerThousand' | 'bulkJobMs'>): number {
  return Math.max(settings.bulkJobMs, (records / 1000) * settings.bulkMsPerThousand);
}

/** One object's chain of waits that cannot overlap, read as the sync's plan reads it (REST or Bulk). */
export function objectChain(object: SyncedObject, records: number, settings: RealisticSettings, minBulkRecords?: number): ObjectChain {
  const latency = meanLatencyMs(settings);
  const { method } = chooseReadMethod({ recordCount: records, ...(minBulkRecords === undefined ? {} : { minBulkRecords }) });
  if (method === 'rest') {
    const pages = Math.max(1, Math.ceil(records / REST_PAGE_SIZE));
    return { object, records, method, serialFetches: pages, processingMs: 0, chainMs: pages * latency };
  }
  const chunks = Math.max(1, Math.ceil(records / BULK_PAGE_SIZE));
  const processingMs = bulkProcessingMs(records, settings);
  return { object, records, method, serialFetches: chunks, processingMs, chainMs: latency + processingMs + latency + chunks * latency };
}

export const meanLatencyMs = (settings: Pick<RealisticSettings, 'latencyMs' | 'latencyJitterMs'>) => settings.latencyMs + settings.latencyJitterMs / 2;

/**
 * CP = L (connect) + L (plan) + max over objects of chain(object): the objects' reads can all run at once,
 * so only the longest chain counts.
 */
export function criticalPath(counts: Record<SyncedObject, number>, settings: RealisticSettings, minBulkRecords?: number): CriticalPath {
  const latency = meanLatencyMs(settings);
  const objects = SYNCED_OBJECTS.map((object) => objectChain(object, counts[object], settings, minBulkRecords));
  const longest = objects.reduce((a, b) => (b.chainMs > a.chainMs ? b : a));
  return { meanLatencyMs: latency, connectMs: latency, planMs: latency, objects, longest: longest.object, totalMs: latency + latency + longest.chainMs };
}

/** The same waits if the objects are read one after another (what a serial read can at best reach). */
export function serialPathMs(path: CriticalPath): number {
  return path.connectMs + path.planMs + path.objects.reduce((sum, chain) => sum + chain.chainMs, 0);
}

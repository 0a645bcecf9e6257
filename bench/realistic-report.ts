// The realistic mode's figures: the initial sync's wall time beside its critical path of Salesforce waits.
import { SYNCED_OBJECTS, type SyncedObject } from '../domain/synced-objects.js';
import { criticalPath, serialPathMs, type CriticalPath, type RealisticSettings } from './critical-path.js';
import type { Metric, ScenarioResult } from './report.js';
import type { Timeline } from './timeline.js';

/** What the realistic figures need from the initial-sync scenario's details. */
export interface InitialDetails {
  callbackAt: string;
  initialSync: { startedAt: string; completedAt: string };
  objectDoneAt: Partial<Record<SyncedObject, string>>;
  calls: { emulator: number; bulkPolls: number };
}

const seconds = (ms: number) => Math.round(ms) / 1000;

/** The comparison: wall time (callback → completedAt) ÷ the critical path, with the path's inputs beside it. */
export function realisticResult(details: InitialDetails, counts: Record<SyncedObject, number>, settings: RealisticSettings, minBulkRecords: number, timeline?: Timeline): ScenarioResult {
  const callbackAt = Date.parse(details.callbackAt);
  const completedAt = Date.parse(details.initialSync.completedAt);
  const wallMs = completedAt - callbackAt;
  const path = criticalPath(counts, settings, minBulkRecords);
  const doneAfterMs = Object.fromEntries(SYNCED_OBJECTS.map((object) => [object, Date.parse(details.objectDoneAt[object] ?? details.initialSync.completedAt) - callbackAt])) as Record<SyncedObject, number>;
  const ratio = wallMs / path.totalMs;
  const metrics: Metric[] = [
    { metric: `latency per API call ${settings.latencyMs}–${settings.latencyMs + settings.latencyJitterMs} ms: mean L`, value: path.meanLatencyMs, unit: 'ms' },
    { metric: 'Bulk processing per job: later of', value: `${settings.bulkMsPerThousand} ms/1,000 rows, ${seconds(settings.bulkJobMs)} s`, unit: '' },
    { metric: 'wall time, callback → completedAt', value: seconds(wallMs), unit: 's' },
    { metric: `critical path: L connect + L plan + longest chain (${path.longest})`, value: seconds(path.totalMs), unit: 's' },
    { metric: 'wall ÷ critical path (target ≤ 1.2)', value: ratio, unit: '×' },
    { metric: 'callback → initial sync started (OAuth, identity check, workflow start)', value: seconds(Date.parse(details.initialSync.startedAt) - callbackAt), unit: 's' },
    { metric: 'the same waits with the objects read one after another', value: seconds(serialPathMs(path)), unit: 's' },
    ...path.objects.map((chain) => ({ metric: `  ${chain.object} (${chain.records.toLocaleString('en-US')}, ${chain.method}): done after / its chain`, value: `${seconds(doneAfterMs[chain.object]).toFixed(1)} / ${seconds(chain.chainMs).toFixed(1)}`, unit: `s (${chainFormula(chain, path)})` })),
    { metric: 'API calls (emulator usage Δ) / of which Bulk status polls', value: `${details.calls.emulator} / ${details.calls.bulkPolls}`, unit: 'calls' },
    ...(timeline ? timelineMetrics(timeline, path.meanLatencyMs) : []),
  ];
  return {
    scenario: 'realistic',
    metrics,
    details: { settings, wallSeconds: seconds(wallMs), criticalPath: path, criticalPathSeconds: seconds(path.totalMs), serialPathSeconds: seconds(serialPathMs(path)), wallToCriticalPath: ratio, objectDoneAfterSeconds: mapValues(doneAfterMs, seconds), ...(timeline ? { timeline } : {}) },
  };
}

/**
 * From the workflow history, per object: its activities' span, the time inside them and between them (timers,
 * workflow tasks), and the local work inside them: each activity's time beyond its API calls × L (applying rows).
 */
function timelineMetrics(timeline: Timeline, meanLatency: number): Metric[] {
  const fired = timeline.timers.filter((timer) => timer.firedMs !== null);
  return [
    ...Object.entries(timeline.objects).map(([object, span]) => {
      const own = timeline.activities.filter((activity) => activity.object === object && activity.startedMs !== null && activity.endedMs !== null);
      const localMs = own.reduce((sum, activity) => sum + Math.max(0, activity.endedMs! - activity.startedMs! - (activity.apiCalls ?? 0) * meanLatency), 0);
      return {
        metric: `  ${object}: its ${span.activities} activit${span.activities === 1 ? 'y' : 'ies'} from–to / inside / between / local work inside`,
        value: `${seconds(span.firstMs).toFixed(1)}–${seconds(span.lastMs).toFixed(1)} / ${seconds(span.runningMs).toFixed(1)} / ${seconds(span.betweenMs).toFixed(1)} / ${seconds(localMs).toFixed(1)}`,
        unit: 's',
      };
    }),
    { metric: 'workflow timers (waits between Bulk status polls): count / total', value: `${timeline.timers.length} / ${seconds(fired.reduce((sum, timer) => sum + timer.firedMs! - timer.startedMs, 0)).toFixed(1)}`, unit: 's' },
  ];
}

/** `5 pages × L` or `L + 15.0 s processing + L poll + 2 chunks × L`, so the table shows what each chain is made of. */
function chainFormula(chain: CriticalPath['objects'][number], path: CriticalPath): string {
  if (chain.method === 'rest') return `${chain.serialFetches} page${chain.serialFetches === 1 ? '' : 's'} × L`;
  return `L + ${seconds(chain.processingMs).toFixed(1)} s processing + L poll + ${chain.serialFetches} chunk${chain.serialFetches === 1 ? '' : 's'} × L; L = ${path.meanLatencyMs} ms`;
}

function mapValues<K extends string, A, B>(record: Record<K, A>, f: (value: A) => B): Record<K, B> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value as A)])) as Record<K, B>;
}

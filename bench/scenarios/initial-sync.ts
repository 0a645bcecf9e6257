import { bulkApiCalls, chooseReadMethod, expectedBulkPolls, minimumApiCalls, restApiCalls } from '../../domain/sync/plan.js';
import { SYNCED_OBJECTS, type SyncedObject } from '../../domain/synced-objects.js';
import type { BenchOptions } from '../args.js';
import { measure } from '../child-process.js';
import { cpuDelta, cpuSnapshot } from '../cpu.js';
import { workflowHistory } from '../history.js';
import { connectThroughApi } from '../oauth.js';
import { objectThroughput, throughputRow, type ObjectThroughput } from '../per-object.js';
import type { ScenarioResult } from '../report.js';
import { connectionStatus, failIfStuck, waitFor } from '../status.js';
import type { BenchOrg, BenchSystem } from '../system.js';
import { fetchTimeline } from '../timeline.js';
import { sumWhere, usageDelta } from '../usage.js';

export const OBJECTS: readonly SyncedObject[] = SYNCED_OBJECTS;
const SEEDS: Record<SyncedObject, number> = { Account: 101, Contact: 102, Opportunity: 103 };

export interface SeededOrg {
  counts: Record<SyncedObject, number>;
  contactIds: string[];
  accountIds: string[];
  seconds: number;
  /** Epoch ms after the last record was saved: no generated SystemModstamp is later. */
  finishedAt: number;
}

/** Generates the org's records through the control API with fixed seeds (accounts first: the others refer to them). */
export async function seedOrg(system: BenchSystem, org: BenchOrg, options: BenchOptions): Promise<SeededOrg> {
  const started = performance.now();
  const counts = { Account: options.accounts, Contact: options.contacts, Opportunity: options.opportunities };
  const ids: Partial<Record<SyncedObject, string[]>> = {};
  for (const object of OBJECTS) {
    ids[object] = counts[object] > 0 ? (await system.control.generateRecords(org.orgId, object, counts[object], SEEDS[object])).ids : [];
  }
  return { counts, contactIds: ids.Contact!, accountIds: ids.Account!, seconds: (performance.now() - started) / 1000, finishedAt: Date.now() };
}

/** Connect through OAuth and time the initial sync from the callback to `initialSync.completedAt`. */
export async function initialSyncScenario(system: BenchSystem, org: BenchOrg, accountId: string, seeded: SeededOrg): Promise<ScenarioResult> {
  const totalRecords = OBJECTS.reduce((sum, object) => sum + seeded.counts[object], 0);
  // The first incremental window starts `lookback` before the initial read did: start once the
  // generated records are older than that, so later cycles measure changes, not the seed's residue.
  const wait = seeded.finishedAt + system.config.SYNC_LOOKBACK + 100 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const usageBefore = await system.control.usage(org.orgId);
  const processes = measure([system.processes.worker, system.processes.api]);
  const cpuBefore = cpuSnapshot();
  const { callbackAt } = await connectThroughApi(system, accountId, org);

  // Each object's first lastSyncAt is when its initial read finished (later cycles overwrite it).
  const objectDoneAt: Partial<Record<SyncedObject, string>> = {};
  const done = await waitFor(
    'the initial sync to complete',
    async () => {
      const status = await connectionStatus(system, accountId);
      failIfStuck(status);
      for (const object of OBJECTS) objectDoneAt[object] ??= status?.objects[object]?.lastSyncAt ?? undefined;
      return status?.initialSync?.completedAt ? status : undefined;
    },
    { timeoutMs: Math.max(120_000, totalRecords * 5), intervalMs: 250 },
  );
  const own = processes.stop();
  // The other pieces that did work: this process (the emulator and the driver), Postgres, Temporal.
  // The worker's and the API's node processes are counted on their own above, so 'node' is left out.
  const others = Object.entries(cpuDelta(cpuBefore, cpuSnapshot())).filter(([name, seconds]) => name !== 'node' && seconds >= 0.05);
  const cpu = { worker: own.worker!.cpuSeconds, api: own.api!.cpuSeconds, ...Object.fromEntries(others.map(([name, seconds]) => [name === 'this process' ? 'emulator+driver' : name, seconds])) };
  const usageAfter = await system.control.usage(org.orgId);
  const history = await workflowHistory(system, accountId);
  const initial = done.initialSync!;

  const wallSeconds = (Date.parse(initial.completedAt!) - callbackAt) / 1000;
  const delta = usageDelta(usageBefore, usageAfter);
  // Not the initial sync's: the connect-time API check (GET /services/data/vNN.N) and the
  // incremental cycles that follow at once (queryAll; the seed is outside their window, so one page each).
  const initialCalls = sumWhere(delta.byEndpoint, (endpoint) => endpoint !== 'GET /' && endpoint !== 'GET /queryAll');
  const restPages = sumWhere(delta.byEndpoint, (endpoint) => /^GET \/query(\/:locator)?$/.test(endpoint));
  const bulkCalls = sumWhere(delta.byEndpoint, (endpoint) => endpoint.includes('/jobs/query'));
  // Status polls of the Bulk jobs (GET /jobs/query/{id}): each one an API call, due on the schedule of domain/sync/plan.ts.
  const bulkPolls = sumWhere(delta.byEndpoint, (endpoint) => endpoint === 'GET /jobs/query/:jobId');
  const bulkJobs = sumWhere(delta.byEndpoint, (endpoint) => endpoint === 'POST /jobs/query');
  const otherCalls = initialCalls - restPages - bulkCalls;
  const plan = Object.fromEntries(OBJECTS.map((object) => [object, chooseReadMethod({ recordCount: seeded.counts[object] })]));
  const planCalls = OBJECTS.reduce((sum, object) => sum + plan[object]!.expectedApiCalls, 0);
  const plannedPolls = OBJECTS.reduce((sum, object) => sum + (plan[object]!.method === 'bulk' ? expectedBulkPolls(seeded.counts[object]) : 0), 0);
  const restOnlyCalls = OBJECTS.reduce((sum, object) => sum + restApiCalls(seeded.counts[object]), 0);
  const bulkOnlyCalls = OBJECTS.reduce((sum, object) => sum + bulkApiCalls(seeded.counts[object]), 0);
  const absoluteMinimum = OBJECTS.reduce((sum, object) => sum + minimumApiCalls(seeded.counts[object]), 0);

  // Per object, from the workflow history: the objects interleave (a Bulk object steps aside while its job
  // processes), so an object's time is its own activities', not the stretch since the previous object ended.
  const timeline = await fetchTimeline(system, accountId, callbackAt, Date.parse(initial.completedAt!));
  const perObject = Object.fromEntries(OBJECTS.map((object) => [object, objectThroughput(seeded.counts[object], timeline.objects[object])])) as Record<SyncedObject, ObjectThroughput>;

  const rows = await system.db
    .selectNoFrom((eb) => [
      eb.selectFrom('contacts').select((c) => c.fn.countAll<string>().as('n')).where('account_id', '=', accountId).as('contacts'),
      eb.selectFrom('deals').select((c) => c.fn.countAll<string>().as('n')).where('account_id', '=', accountId).as('deals'),
    ])
    .executeTakeFirstOrThrow();

  return {
    scenario: 'initial-sync',
    metrics: [
      { metric: 'records synced', value: initial.records, unit: 'records' },
      { metric: 'wall time, callback → completedAt', value: wallSeconds, unit: 's' },
      { metric: 'throughput', value: initial.records / wallSeconds, unit: 'records/s' },
      ...OBJECTS.map((object) => throughputRow(object, perObject[object])),
      { metric: 'API calls (status initialSync.apiCalls)', value: initial.apiCalls, unit: 'calls' },
      { metric: 'API calls (emulator usage Δ)', value: initialCalls, unit: 'calls' },
      { metric: '  of which REST query pages / Bulk API / other', value: `${restPages} / ${bulkCalls} / ${otherCalls}`, unit: 'calls' },
      { metric: '  Bulk jobs / their status polls (plan expects)', value: `${bulkJobs} / ${bulkPolls} (${plannedPolls})`, unit: 'calls' },
      { metric: `minimum, plan.ts choice (${OBJECTS.map((o) => `${o} ${plan[o]!.method}`).join(', ')})`, value: planCalls, unit: 'calls' },
      { metric: 'ratio to that minimum', value: initial.apiCalls / planCalls, unit: '×' },
      { metric: 'minimum if all REST / all Bulk', value: `${restOnlyCalls} / ${bulkOnlyCalls}`, unit: 'calls' },
      {
        metric: `CPU time during it (${Object.keys(cpu).join(' / ')})`,
        value: Object.values(cpu).map((seconds) => seconds.toFixed(1)).join(' / '),
        unit: 's',
      },
      { metric: 'worker process: RSS before connect (idle, workflows bundled)', value: own.worker!.startRssMiB, unit: 'MiB' },
      { metric: 'worker process: peak RSS during sync', value: own.worker!.peakRssMiB, unit: 'MiB' },
      { metric: 'worker process: CPU during sync', value: own.worker!.cpuSeconds, unit: 's' },
      { metric: 'API process: peak RSS during sync', value: own.api!.peakRssMiB, unit: 'MiB' },
      { metric: 'workflow history: events in current run / runs', value: `${history.eventsInCurrentRun} / ${history.runs}`, unit: '' },
      { metric: 'Postgres rows (contacts / deals)', value: `${Number(rows.contacts).toLocaleString('en-US')} / ${Number(rows.deals).toLocaleString('en-US')}`, unit: 'rows' },
    ],
    details: {
      counts: seeded.counts,
      seedSeconds: seeded.seconds,
      callbackAt: new Date(callbackAt).toISOString(),
      initialSync: initial,
      objects: done.objects,
      perObject,
      timeline,
      // Each object's first lastSyncAt: when its initial read finished (the realistic mode sets it beside its chain).
      objectDoneAt,
      calls: { status: initial.apiCalls, emulator: initialCalls, restPages, bulkCalls, bulkJobs, bulkPolls, plannedPolls, otherCalls },
      plan,
      planCalls,
      restOnlyCalls,
      bulkOnlyCalls,
      absoluteMinimum,
      emulatorUsageDelta: delta,
      cpuSeconds: cpu,
      processes: own,
      history,
      throughput: initial.records / wallSeconds,
      postgresRows: { contacts: Number(rows.contacts), deals: Number(rows.deals) },
    },
  };
}

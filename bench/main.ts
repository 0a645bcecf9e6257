// `npm run bench`: boots the system (worker and API in processes of their own), runs the scenarios, prints a table and
// writes bench/results/<ISO timestamp>.json (and latest.json). See `npm run bench -- --help`.
import os from 'node:os';
import { parseBenchArgs, USAGE, type BenchOptions } from './args.js';
import { Cleanup } from '../dev/cleanup.js';
import { machine, renderTable, writeResults, type ScenarioResult } from './report.js';
import { incrementalCycleScenario } from './scenarios/incremental-cycle.js';
import { initialSyncScenario, seedOrg } from './scenarios/initial-sync.js';
import { latenciesScenario } from './scenarios/latencies.js';
import { limitsScenario } from './scenarios/limits.js';
import { manyConnectionsScenario } from './scenarios/many-connections.js';
import { realisticSyncScenario } from './scenarios/realistic-sync.js';
import { taskLoggingScenario } from './scenarios/task-logging.js';
import { connectionStatus, waitFor } from './status.js';
import { summarize, summaryResult } from './summary.js';
import { startBenchSystem, type BenchSystem } from './system.js';

const ACCOUNT_ID = 'acct-bench';
const progress = (line: string) => process.stderr.write(`▸ ${line}\n`);
const REALISTIC_SKIPS = 'skipped in realistic mode: incremental cycle, Task logging, latencies and limits (local-mode measures; under latency they would take minutes and time the emulator\'s waits)';

async function run(options: BenchOptions, cleanup: Cleanup, results: ScenarioResult[]): Promise<BenchSystem> {
  const t = performance.now();
  const elapsed = () => `${((performance.now() - t) / 1000).toFixed(1)} s`;
  progress('starting Postgres, Temporal dev server, emulator, worker and API…');
  const system = await startBenchSystem(options, cleanup);
  if (options.connections > 0) {
    progress(`started (${elapsed()}); ${options.connections} connections with small orgs…`);
    results.push(await manyConnectionsScenario(system, options, progress));
    return system;
  }
  progress(`started (${elapsed()}); generating ${options.accounts} accounts, ${options.contacts} contacts, ${options.opportunities} opportunities…`);
  const org = await system.createOrg();
  const seeded = await seedOrg(system, org, options);

  if (options.realistic) {
    const { latencyMs, latencyJitterMs, bulkMsPerThousand, bulkJobMs } = options.realistic;
    progress(`generated (${elapsed()}); realistic initial sync: ${latencyMs}–${latencyMs + latencyJitterMs} ms per API call, Bulk jobs ${bulkMsPerThousand} ms per 1,000 rows (at least ${bulkJobMs} ms)…`);
    results.push(...(await realisticSyncScenario(system, org, ACCOUNT_ID, seeded, options.realistic)));
    progress(`done (${elapsed()}); ${REALISTIC_SKIPS}; stopping everything…`);
    return system;
  }
  progress(`generated (${elapsed()}); initial sync…`);
  results.push(await initialSyncScenario(system, org, ACCOUNT_ID, seeded));

  progress(`initial sync done (${elapsed()}); incremental cycle (${options.updates} updates, ${options.creates} creates, ${options.deletes} deletes)…`);
  results.push(await incrementalCycleScenario(system, org, ACCOUNT_ID, seeded, options));

  progress(`incremental done (${elapsed()}); Task logging (1,000 follow-ups posted at once)…`);
  results.push(await taskLoggingScenario(system, org, ACCOUNT_ID));

  progress(`Task logging done (${elapsed()}); latencies (single changes each way, single follow-ups)…`);
  results.push(await latenciesScenario(system, org, ACCOUNT_ID, seeded, options));

  // Pause the sync so its cycles don't share the emulator with the raw read.
  const paused = await system.call(`/api/support/connections/${ACCOUNT_ID}/production/pause`, { method: 'POST', token: system.config.SUPPORT_TOKEN });
  if (!paused.ok) throw new Error(`pause answered ${paused.status}: ${await paused.text()}`);
  await waitFor('the sync to pause', async () => ((await connectionStatus(system, ACCOUNT_ID))?.phase === 'paused' ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
  progress(`latencies done (${elapsed()}); limits: the same rows read by jsforce alone (REST, Bulk), written to Postgres alone, and the naive baseline…`);
  results.push(await limitsScenario(system, org, seeded.counts));
  progress(`done (${elapsed()}); stopping everything…`);
  return system;
}

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const startedAt = new Date();
  const cleanup = new Cleanup();
  // Ctrl-C: stop everything now; the scenario then fails on its next call and the partial results
  // are still written. Later signals are ignored (Ctrl-C reaches us more than once), a hang is cut short.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping everything…\n`);
    setTimeout(() => process.exit(130), 30_000).unref();
    void cleanup.run();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results: ScenarioResult[] = [];
  let system: BenchSystem | undefined;
  let failure: unknown;
  try {
    system = await run(options, cleanup, results);
  } catch (error) {
    failure = error;
  }
  const runtimeLog = (system ?? { runtimeLog: [] }).runtimeLog;
  await cleanup.run();

  const host = machine();
  const summary = summarize(results);
  const report = {
    summary,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: host,
    options,
    // Realistic mode: wall time, the critical path and its inputs (also in results[], scenario "realistic").
    ...(options.realistic ? { realistic: results.find((result) => result.scenario === 'realistic')?.details ?? null } : {}),
    workerNodeOptions: process.env.BENCH_WORKER_NODE_OPTIONS ?? null,
    results,
    runtimeWarnings: runtimeLog,
    load: { loadAverage: os.loadavg(), note: 'load average (1, 5, 15 min) when the run ended; figures are noisy on a shared machine' },
    ...(interrupted ? { interrupted: true } : failure ? { error: failure instanceof Error ? (failure.stack ?? failure.message) : String(failure) } : {}),
    ...(cleanup.failures.length ? { cleanupFailures: cleanup.failures } : {}),
  };
  const file = writeResults(report, startedAt);

  const out = [
    '',
    `Machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.platform}`,
    `Sync timing: poll ${options.pollInterval}, safety lag ${options.safetyLag}, lookback ${options.lookback}; the worker and the API run in processes of their own (Postgres, Temporal too); the emulator runs in the bench's`,
    `Worker's Node flags (BENCH_WORKER_NODE_OPTIONS): ${process.env.BENCH_WORKER_NODE_OPTIONS || 'none (V8 defaults)'}`,
    `Load average at the end: ${os.loadavg().map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min) on ${host.cpus} cores: figures from a loaded machine are noisy`,
    '',
    results.length ? renderTable([...(summary.throughput !== null ? [summaryResult(summary)] : []), ...results]) : '(no scenario finished)',
    '',
  ];
  if (options.realistic) out.push(`${REALISTIC_SKIPS[0]!.toUpperCase()}${REALISTIC_SKIPS.slice(1)}.`);
  if (runtimeLog.length) out.push(`The worker and the API logged ${runtimeLog.length} warning(s) or error(s); see the JSON.`);
  for (const line of cleanup.failures) out.push(`Cleanup problem: ${line}`);
  out.push(`Results: ${file}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (interrupted) {
    process.stderr.write('Interrupted: the table holds the scenarios that finished.\n');
    return 130;
  }
  if (failure) {
    process.stderr.write(`\nBenchmark failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`);
    return 1;
  }
  return 0;
}

// Exit explicitly: the Temporal runtime's native threads would otherwise keep the process up.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

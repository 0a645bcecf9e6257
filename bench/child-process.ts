import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Cleanup } from '../dev/cleanup.js';

/** A warning or error line a child process logged (pino JSON), kept for the report. */
export interface LoggedProblem {
  process: string;
  level: number;
  message: string;
  meta?: Record<string, unknown>;
}

export interface ProcessFigures {
  rssMiB: number;
  /** Highest RSS since the last `resetPeak()` (the kernel's VmHWM). */
  peakRssMiB: number;
  /** CPU seconds (user + system, all threads) since the process started. */
  cpuSeconds: number;
}

export interface NodeProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  figures(): ProcessFigures;
  /** Starts a new peak: the kernel resets VmHWM to the current RSS (Linux ≥ 4.0; writes /proc/<pid>/clear_refs). */
  resetPeak(): void;
}

const TICKS_PER_SECOND = 100;

/**
 * `node --import tsx <entry>` as a process of its own (the production `npm run worker` / `npm run api`
 * entry points), so its memory and CPU are its own figures. Resolves once a stdout line matches `ready`.
 */
export function startNodeProcess(name: string, entry: string, env: Record<string, string>, ready: RegExp, cleanup: Cleanup, problems: LoggedProblem[]): Promise<NodeProcess> {
  // BENCH_CPU_PROFILE=<dir>: V8 CPU profiles of the worker and the API (written when they stop; Node refuses --cpu-prof in NODE_OPTIONS).
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}/${name}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  cleanup.add(name, () => stopChild(child));
  const handle: NodeProcess = { name, pid, child, figures: () => figuresOf(pid), resetPeak: () => resetPeak(pid) };
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (ready.test(line)) resolve(handle);
        collectProblem(name, line, problems);
      }
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.once('exit', (code, signal) => reject(new Error(`${name} exited before it was ready (${code ?? signal}): ${stderr.trim().slice(-1_000)}`)));
  });
}

function collectProblem(name: string, line: string, problems: LoggedProblem[]): void {
  if (!line.startsWith('{') || !/"level":(4|5|6)\d/.test(line)) return;
  try {
    const { level, msg, time: _time, pid: _pid, hostname: _host, name: _name, ...meta } = JSON.parse(line) as Record<string, unknown>;
    if (problems.length < 500) problems.push({ process: name, level: Number(level), message: String(msg ?? ''), meta });
  } catch {
    // not a log line
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function figuresOf(pid: number): ProcessFigures {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime: fields 14 and 15 of /proc/<pid>/stat (11 and 12 after "(comm) ").
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024, cpuSeconds: ticks / TICKS_PER_SECOND };
}

function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not Linux, or not allowed: the peak is then the process's lifetime peak
  }
}

/** Figures over an interval: CPU used and the peak RSS seen (VmHWM after a reset, and sampled as a fallback). */
export function measure(processes: NodeProcess[], sampleMs = 100): { stop(): Record<string, { cpuSeconds: number; startRssMiB: number; peakRssMiB: number; endRssMiB: number }> } {
  const start = new Map(processes.map((p) => [p.name, p.figures()]));
  const peaks = new Map(processes.map((p) => [p.name, 0]));
  for (const p of processes) p.resetPeak();
  const sample = () => {
    for (const p of processes) {
      try {
        peaks.set(p.name, Math.max(peaks.get(p.name)!, p.figures().rssMiB));
      } catch {
        // exited
      }
    }
  };
  const timer = setInterval(sample, sampleMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(
        processes.map((p) => {
          const end = p.figures();
          return [p.name, { cpuSeconds: end.cpuSeconds - start.get(p.name)!.cpuSeconds, startRssMiB: start.get(p.name)!.rssMiB, peakRssMiB: Math.max(peaks.get(p.name)!, end.peakRssMiB), endRssMiB: end.rssMiB }];
        }),
      );
    },
  };
}

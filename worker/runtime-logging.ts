import { DefaultLogger, IllegalStateError, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../platform/logger.js';

export type TemporalLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
/** Our pino logger, or a function that keeps the entries (the benchmark collects them). */
export type TemporalLogTarget = Logger | ((entry: LogEntry) => void);
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Routes the Temporal SDK's logs (worker lifecycle, activity and workflow `log` calls) into our
 * pino logger, so every line is structured JSON and goes through the same redaction. Must run
 * before anything creates the Runtime; later calls in the same process are no-ops.
 */
export function installTemporalRuntimeLogging(target: TemporalLogTarget, level: TemporalLevel = 'INFO'): void {
  const write =
    typeof target === 'function'
      ? target
      : (entry: LogEntry) => target[PINO_METHOD[entry.level as TemporalLevel] ?? 'info']({ temporal: entry.meta }, entry.message);
  try {
    Runtime.install({ logger: new DefaultLogger(level, write) });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}

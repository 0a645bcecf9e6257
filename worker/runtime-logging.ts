import { DefaultLogger, IllegalStateError, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../platform/logger.js';

type TemporalLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Routes the Temporal SDK's logs (worker lifecycle, activity and workflow `log` calls) into our
 * pino logger, so every line is structured JSON and goes through the same redaction. Must run
 * before anything creates the Runtime; later calls in the same process are no-ops.
 */
export function installTemporalRuntimeLogging(logger: Logger, level: TemporalLevel = 'INFO'): void {
  try {
    Runtime.install({
      logger: new DefaultLogger(level, (entry: LogEntry) => {
        logger[PINO_METHOD[entry.level as TemporalLevel] ?? 'info']({ temporal: entry.meta }, entry.message);
      }),
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}

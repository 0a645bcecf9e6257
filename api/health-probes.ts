import type { Db } from '../db/connect.js';
import { pingDatabase } from '../db/diagnostics.js';
import { checkTemporalHealth, type TemporalConnection } from './temporal.js';

export type Probe = () => Promise<boolean>;

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout(work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work.then(() => true, () => false), timeout]).finally(() => clearTimeout(timer));
}

export function databaseProbe(db: Db): Probe {
  return () => withTimeout(pingDatabase(db));
}

export function temporalProbe(connection: TemporalConnection): Probe {
  return () => withTimeout(checkTemporalHealth(connection, PROBE_TIMEOUT_MS));
}

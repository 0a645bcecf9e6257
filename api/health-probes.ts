import type { Connection } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

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
  return () => withTimeout(sql`select 1`.execute(db));
}

export function temporalProbe(connection: Connection): Probe {
  return () =>
    withTimeout(connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () => connection.healthService.check({})));
}

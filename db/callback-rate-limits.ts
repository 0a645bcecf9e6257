import { sql } from 'kysely';
import type { Db } from './connect.js';

// The one owner of callback_rate_limits: fixed-window hit counters per client address, in Postgres
// so that every API replica counts against the same limit.

/**
 * Counts one callback from `clientKey` in the current window (windows are aligned on the database's
 * clock, so replicas with skewed clocks agree) and returns the hits so far in it, this one included.
 */
export async function countCallbackHit(db: Db, clientKey: string, windowSeconds: number): Promise<number> {
  const windowStart = sql<Date>`to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}::integer) * ${windowSeconds}::integer)`;
  const { hits } = await db
    .insertInto('callback_rate_limits')
    .values({ client_key: clientKey, window_start: windowStart, hits: 1 })
    .onConflict((conflict) => conflict.columns(['client_key', 'window_start']).doUpdateSet({ hits: sql<number>`callback_rate_limits.hits + 1` }))
    .returning('hits')
    .executeTakeFirstOrThrow();
  // A client's first hit in a window: finished windows are no use any more, so clear them as we go.
  if (hits === 1) {
    await db
      .deleteFrom('callback_rate_limits')
      .where('window_start', '<', sql<Date>`now() - make_interval(secs => ${windowSeconds}::integer)`)
      .execute();
  }
  return hits;
}

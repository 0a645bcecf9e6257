import type { Db } from './connect.js';
import type { Environment } from '../domain/environment.js';

// The support console's connection list: one page of salesforce_connections, ordered by account.

export interface ConnectionListFilter {
  /** Part of an account id (case-insensitive). */
  search?: string;
  /** Only these (account, environment) pairs (a phase filter resolved elsewhere). */
  only?: Array<{ accountId: string; environment: Environment }>;
  /** true: only ended connections; false: only active ones. */
  ended?: boolean;
  offset: number;
  limit: number;
}

export interface ConnectionListRow {
  accountId: string;
  environment: Environment;
  orgId: string;
  username: string | null;
  active: boolean;
  connectedAt: Date;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** One page (ordered by account, then environment) and whether more follow. */
export async function listConnectionsPage(db: Db, filter: ConnectionListFilter): Promise<{ rows: ConnectionListRow[]; more: boolean }> {
  if (filter.only && filter.only.length === 0) return { rows: [], more: false };
  let query = db
    .selectFrom('salesforce_connections')
    .select(['account_id', 'environment', 'org_id', 'username', 'status', 'connected_at'])
    .orderBy('account_id')
    .orderBy('environment')
    .offset(filter.offset)
    .limit(filter.limit + 1);
  if (filter.search) query = query.where('account_id', 'ilike', `%${escapeLike(filter.search)}%`);
  if (filter.ended !== undefined) query = query.where('status', filter.ended ? '!=' : '=', 'active');
  const only = filter.only;
  if (only) query = query.where((eb) => eb.or(only.map((pair) => eb.and([eb('account_id', '=', pair.accountId), eb('environment', '=', pair.environment)]))));
  const found = await query.execute();
  return {
    rows: found.slice(0, filter.limit).map((row) => ({
      accountId: row.account_id,
      environment: row.environment,
      orgId: row.org_id,
      username: row.username,
      active: row.status === 'active',
      connectedAt: row.connected_at,
    })),
    more: found.length > filter.limit,
  };
}

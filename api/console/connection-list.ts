import { listConnectionsPage, type ConnectionListFilter } from '../../db/connection-list.js';
import type { ConnectionStatus, SyncPhase } from '../../domain/connection-status.js';
import { connectionStatus, type LifecycleDeps } from '../connections/lifecycle.js';
import { runningConnectionsInPhase } from '../temporal.js';
import type { ListModel, ListRow } from './views/list.js';

// One page of the console's connection list: rows from Postgres (ordered by account), each row's
// phase and numbers from its workflow's status; a phase filter asks Temporal's visibility which
// running connections are in that phase (the SyncPhase search attribute).

export const PAGE_SIZE = 25;
/** Running workflows of one phase the filter reads at most (a search by account narrows further). */
const PHASE_MATCH_LIMIT = 2000;

const count = (n: number) => n.toLocaleString('en-US');

/** The sync's calls against its allocation (when the worker reports it), and the org's against its limit. */
function usageText(status: ConnectionStatus): string {
  const parts: string[] = [];
  const allocation = status.allocation;
  if (allocation?.allowedCalls != null) parts.push(`sync ${count(allocation.usedCalls24h)} of ${count(allocation.allowedCalls)} allocated`);
  if (status.apiUsage) parts.push(`org ${count(status.apiUsage.used)} of ${count(status.apiUsage.max)}`);
  return parts.length > 0 ? parts.join('; ') : '—';
}

async function rowView(deps: LifecycleDeps, row: Awaited<ReturnType<typeof listConnectionsPage>>['rows'][number]): Promise<ListRow> {
  const base = { accountId: row.accountId, environment: row.environment, orgId: row.orgId };
  const status = await connectionStatus(deps, row.accountId, row.environment).catch(() => null);
  if (!status) return { ...base, phase: row.active ? 'unknown' : 'disconnected', lastSyncAt: null, apiUse: '—', error: null };
  return {
    ...base,
    phase: status.phase,
    lastSyncAt: status.lastSyncAt,
    apiUse: usageText(status),
    error: status.error ? `${status.error.code}: ${status.error.message}` : null,
  };
}

export interface ListQuery {
  search: string;
  phase: SyncPhase | '';
  page: number;
}

export async function connectionListModel(deps: LifecycleDeps, query: ListQuery, csrfToken: string): Promise<ListModel> {
  const filter: ConnectionListFilter = { offset: (query.page - 1) * PAGE_SIZE, limit: PAGE_SIZE };
  if (query.search) filter.search = query.search;
  let phaseCapped = false;
  if (query.phase === 'disconnected') filter.ended = true;
  else if (query.phase) {
    const running = await runningConnectionsInPhase(deps.temporal, query.phase, PHASE_MATCH_LIMIT);
    filter.only = running.connections;
    filter.ended = false;
    phaseCapped = running.capped;
  }
  const page = await listConnectionsPage(deps.db, filter);
  const rows = await Promise.all(page.rows.map((row) => rowView(deps, row)));
  return { rows, search: query.search, phase: query.phase, page: query.page, more: page.more, phaseCapped, csrfToken };
}


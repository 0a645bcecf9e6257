import type { Context } from 'hono';
import { z } from 'zod';
import { connectionWorkflowId } from '../../domain/connection-status.js';
import { findConnection } from '../../db/connections.js';
import { syncHealth } from '../connections/health.js';
import { connectionStatus, type LifecycleDeps } from '../connections/lifecycle.js';
import { AccountId, Environment } from '../schemas.js';
import type { ConsoleSession } from './session.js';
import { ConnectionPage, type PageMessage } from './views/connection.js';
import { ProblemPage } from './views/layout.js';

// One connection's page: its status, health details and actions, with what the last action did.

export type Env = { Variables: { session: ConsoleSession } };

export const Target = z.object({ accountId: AccountId, environment: Environment });

function workflowUrl(deps: LifecycleDeps, accountId: string, environment: z.infer<typeof Environment>): string | undefined {
  const base = deps.config.TEMPORAL_UI_URL?.replace(/\/+$/, '');
  if (!base) return undefined;
  return `${base}/namespaces/${encodeURIComponent(deps.config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(connectionWorkflowId(accountId, environment))}`;
}

export async function connectionPage(c: Context<Env>, deps: LifecycleDeps, message?: PageMessage, httpStatus: 200 | 400 | 409 = 200): Promise<Response> {
  const session = c.get('session');
  const target = Target.safeParse(c.req.param());
  if (!target.success) return c.html(<ProblemPage title="Not found" problem="No such connection." csrfToken={session.csrfToken} />, 404);
  const { accountId, environment } = target.data;
  const [row, status] = await Promise.all([findConnection(deps.db, accountId, environment), connectionStatus(deps, accountId, environment)]);
  if (!row || !status) return c.html(<ProblemPage title="Not found" problem={`Account ${accountId} has never connected a ${environment} org.`} csrfToken={session.csrfToken} />, 404);
  const health = await syncHealth(deps.db, row.id, status);
  const url = workflowUrl(deps, accountId, environment);
  const model = { status, username: row.username, health, csrfToken: session.csrfToken, ...(message ? { message } : {}), ...(url ? { workflowUrl: url } : {}) };
  return c.html(<ConnectionPage model={model} />, httpStatus);
}

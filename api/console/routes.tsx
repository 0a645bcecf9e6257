import type { Context, Hono, Next } from 'hono';
import { z } from 'zod';
import { SYNC_PHASES } from '../../domain/connection-status.js';
import { sendSupportCommand, type SupportCommand } from '../connections/commands.js';
import type { LifecycleDeps } from '../connections/lifecycle.js';
import { connectionListModel } from './connection-list.js';
import { connectionPage, Target, type Env } from './connection-page.js';
import { csrfProblem } from './csrf.js';
import { registerQuotaForms } from './quota-routes.js';
import { endSession, readSession, sameSecret, startSession, type ConsoleSession } from './session.js';
import { ListPage } from './views/list.js';
import { LoginPage, ProblemPage } from './views/layout.js';

// The support console at /support: server-rendered pages over the same functions the JSON support
// routes use. Every page needs a session (sign in with SUPPORT_TOKEN); every form post passes the
// CSRF checks (csrf.ts).


const ListQuery = z.object({
  q: z.string().trim().max(200).catch(''),
  phase: z.enum(SYNC_PHASES).or(z.literal('')).catch(''),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
const COMMAND_NOTICE: Record<SupportCommand, string> = { pause: 'Paused', resume: 'Resumed', resync: 'Resync started' };

async function securityHeaders(c: Context, next: Next): Promise<void> {
  await next();
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
}

async function refused(c: Context, problem: string, session?: ConsoleSession | null): Promise<Response> {
  return c.html(<ProblemPage title="Refused" problem={problem} {...(session ? { csrfToken: session.csrfToken } : {})} />, 403);
}

/** Pages and posts behind the sign-in; posts also pass the CSRF checks. */
function requireSession(deps: LifecycleDeps) {
  return async (c: Context<Env>, next: Next) => {
    const session = await readSession(c, deps.config);
    if (c.req.method === 'POST') {
      const problem = await csrfProblem(c, session);
      if (problem) return refused(c, problem, session);
    }
    if (!session) return c.redirect('/support/login', 303);
    c.set('session', session);
    return next();
  };
}

function registerSignIn(app: Hono, deps: LifecycleDeps): void {
  app.get('/support', (c) => c.redirect('/support/connections', 303));
  app.get('/support/login', async (c) => ((await readSession(c, deps.config)) ? c.redirect('/support/connections', 303) : c.html(<LoginPage />)));
  app.post('/support/login', async (c) => {
    const problem = await csrfProblem(c, null);
    if (problem) return refused(c, problem);
    const token = (await c.req.parseBody()).token;
    if (typeof token !== 'string' || !sameSecret(token, deps.config.SUPPORT_TOKEN)) {
      deps.logger.warn({ path: c.req.path }, 'support console sign-in refused');
      return c.html(<LoginPage problem="That is not the support token." />, 401);
    }
    await startSession(c, deps.config);
    return c.redirect('/support/connections', 303);
  });
  app.post('/support/logout', requireSession(deps), (c) => {
    endSession(c, deps.config);
    return c.redirect('/support/login', 303);
  });
}

export function registerConsoleRoutes(app: Hono, deps: LifecycleDeps): void {
  const console = app as unknown as Hono<Env>;
  console.use('/support', securityHeaders);
  console.use('/support/*', securityHeaders);
  registerSignIn(app, deps);
  console.use('/support/connections', requireSession(deps));
  console.use('/support/connections/*', requireSession(deps));
  console.get('/support/connections', async (c) => {
    const query = ListQuery.parse(c.req.query());
    const model = await connectionListModel(deps, { search: query.q, phase: query.phase, page: query.page }, c.get('session').csrfToken);
    return c.html(<ListPage model={model} />);
  });
  console.get('/support/connections/:accountId/:environment', (c) => connectionPage(c, deps));
  registerQuotaForms(console, deps);
  for (const command of ['pause', 'resume', 'resync'] as const) {
    console.post(`/support/connections/:accountId/:environment/${command}`, async (c) => {
      const target = Target.safeParse(c.req.param());
      if (!target.success) return c.html(<ProblemPage title="Not found" problem="No such connection." csrfToken={c.get('session').csrfToken} />, 404);
      const { accountId, environment } = target.data;
      const answer = await sendSupportCommand(deps, accountId, environment, command);
      if (!answer) return connectionPage(c, deps, { kind: 'problem', text: `${command}: the connection is not running, so there is nothing to ${command}.` }, 409);
      // The page below reads the status again: the state after the command took effect.
      const text = answer.applied ? `${COMMAND_NOTICE[command]}: the status below is after the command took effect.` : `${command} is queued behind the page in flight; the status below is from before it.`;
      return connectionPage(c, deps, { kind: 'notice', text });
    });
  }
}

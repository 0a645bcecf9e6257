import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { allocationProblem, type Allocation } from '../../domain/budget.js';
import { WEEKDAYS, windowProblem, type OffHoursWindow } from '../../domain/offhours.js';
import { setQuotaSettingFor } from '../connections/commands.js';
import type { LifecycleDeps } from '../connections/lifecycle.js';
import type { QuotaSetting } from '../temporal-support.js';
import { connectionPage, Target, type Env } from './connection-page.js';
import { ProblemPage } from './views/layout.js';

// The window and allocation forms: the same Updates as POST /api/support/…/schedule and …/allocation.

const WindowFields = z.object({
  start: z.string().max(8),
  end: z.string().max(8),
  timezone: z.string().max(100),
  days: z.array(z.enum(WEEKDAYS)).optional(),
});

/** The form's window (null: clear it), or why it is not usable. */
function windowOf(body: Record<string, unknown>): { window: OffHoursWindow | null } | { problem: string } {
  if (body.clear === '1') return { window: null };
  const days = body.days === undefined ? undefined : ([] as unknown[]).concat(body.days);
  const parsed = WindowFields.safeParse({ ...body, ...(days && days.length > 0 ? { days } : { days: undefined }) });
  if (!parsed.success) return { problem: 'The window needs a start, an end, a time zone and (optionally) days mon…sun.' };
  const window: OffHoursWindow = { start: parsed.data.start, end: parsed.data.end, timezone: parsed.data.timezone, ...(parsed.data.days ? { days: parsed.data.days } : {}) };
  const problem = windowProblem(window);
  return problem ? { problem } : { window };
}

/** The form's allocation (blank fields left out), or why it is not usable. */
function allocationOf(body: Record<string, unknown>): { allocation: Allocation } | { problem: string } {
  const number = (field: string) => (typeof body[field] === 'string' && body[field] !== '' ? Number(body[field]) : undefined);
  const share = number('share');
  const dailyCalls = number('dailyCalls');
  const allocation: Allocation = { ...(share !== undefined ? { share } : {}), ...(dailyCalls !== undefined ? { dailyCalls } : {}) };
  const problem = allocationProblem(allocation);
  return problem ? { problem } : { allocation };
}

function settingNotice(setting: QuotaSetting, nextStart: { utc: string; local: string } | null | undefined): string {
  if (setting.kind === 'allocation') return 'Allocation set: the status below has it in effect.';
  if (!setting.window) return 'Window cleared: heavy work may run at any time.';
  return `Window set; next start ${nextStart ? `${nextStart.utc} (local ${nextStart.local})` : 'unknown'}.`;
}

async function applySetting(c: Context<Env>, deps: LifecycleDeps, setting: QuotaSetting): Promise<Response> {
  const { accountId, environment } = Target.parse(c.req.param());
  const result = await setQuotaSettingFor(deps, accountId, environment, setting);
  if (result.outcome === 'not-running') return connectionPage(c, deps, { kind: 'problem', text: 'The connection is not running; nothing was changed.' }, 409);
  if (result.outcome === 'refused') return connectionPage(c, deps, { kind: 'problem', text: `The connection refused the setting: ${result.message}` }, 409);
  return connectionPage(c, deps, { kind: 'notice', text: settingNotice(setting, result.status.schedule?.nextStart) });
}

export function registerQuotaForms(app: Hono<Env>, deps: LifecycleDeps): void {
  app.post('/support/connections/:accountId/:environment/schedule', async (c) => {
    if (!Target.safeParse(c.req.param()).success) return c.html(<ProblemPage title="Not found" problem="No such connection." csrfToken={c.get('session').csrfToken} />, 404);
    const form = windowOf(await c.req.parseBody({ all: true }));
    if ('problem' in form) return connectionPage(c, deps, { kind: 'problem', text: form.problem }, 400);
    return applySetting(c, deps, { kind: 'schedule', window: form.window });
  });
  app.post('/support/connections/:accountId/:environment/allocation', async (c) => {
    if (!Target.safeParse(c.req.param()).success) return c.html(<ProblemPage title="Not found" problem="No such connection." csrfToken={c.get('session').csrfToken} />, 404);
    const form = allocationOf(await c.req.parseBody());
    if ('problem' in form) return connectionPage(c, deps, { kind: 'problem', text: form.problem }, 400);
    return applySetting(c, deps, { kind: 'allocation', allocation: form.allocation });
  });
}

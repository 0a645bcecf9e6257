import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { setQuotaSettingFor } from '../connections/commands.js';
import type { LifecycleDeps } from '../connections/lifecycle.js';
import { allocationProblem } from '../../domain/budget.js';
import { windowProblem } from '../../domain/offhours.js';
import { ApiError } from '../errors.js';
import { ConnectionParams, ConnectionStatusSchema, ErrorSchema, OffHoursWindowSchema, errorResponses } from '../schemas.js';

// Support's quota settings: the off-hours window for heavy sync work, and the integration's API
// allocation. Both are Temporal Updates that take effect at once and answer the status.

const ScheduleBody = z
  .object({
    window: z.union([OffHoursWindowSchema, z.null()]).openapi({ description: 'The window, or null to run heavy work at any time' }),
  })
  .superRefine(({ window }, ctx) => {
    const problem = window && windowProblem(window);
    if (problem) ctx.addIssue({ code: 'custom', path: ['window'], message: problem });
  })
  .openapi('ScheduleRequest');

const AllocationBody = z
  .object({
    share: z.number().optional().openapi({ description: "Share of the org's daily API limit, more than 0 and at most 1 (default 0.5)", example: 0.5 }),
    dailyCalls: z.number().optional().openapi({ description: 'Calls per rolling 24 h (wins over share; capped at the org limit)', example: 20000 }),
  })
  .superRefine((allocation, ctx) => {
    const problem = allocationProblem(allocation);
    if (problem) ctx.addIssue({ code: 'custom', path: [], message: problem });
  })
  .openapi('AllocationRequest');

const WindowStart = z.object({ utc: z.string(), local: z.string() }).nullable();
const QuotaAnswer = ConnectionStatusSchema.extend({
  nextWindowStart: WindowStart.openapi({ description: 'The next window start in UTC and in the window’s local time (null without a window)' }),
}).openapi('SupportQuotaAnswer');

function quotaRoute(path: 'schedule' | 'allocation', summary: string, body: z.ZodType) {
  return createRoute({
    method: 'post',
    path: `/api/support/connections/{accountId}/{environment}/${path}`,
    tags: ['support'],
    summary,
    security: [{ supportToken: [] }],
    request: { params: ConnectionParams, body: { required: true, content: { 'application/json': { schema: body } } } },
    responses: {
      200: { description: 'Set: the connection status with the setting in effect, and the next window start', content: { 'application/json': { schema: QuotaAnswer } } },
      404: { description: 'No running connection', content: { 'application/json': { schema: ErrorSchema } } },
      409: { description: 'The connection refused the setting (it is ending, or its worker predates quota settings)', content: { 'application/json': { schema: ErrorSchema } } },
      ...errorResponses,
    },
  });
}

const scheduleRoute = quotaRoute('schedule', 'Off-hours window for heavy sync work (initial sync, resync, backfills); answers the next window start', ScheduleBody);
const allocationRoute = quotaRoute('allocation', "The integration's API allocation: a share of the org's daily limit, or calls a day", AllocationBody);

export function registerQuotaRoutes(app: OpenAPIHono, deps: LifecycleDeps): void {
  app.openapi(scheduleRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    const { window } = c.req.valid('json') as z.infer<typeof ScheduleBody>;
    return c.json(answer(await setQuotaSettingFor(deps, accountId, environment, { kind: 'schedule', window }), accountId, environment), 200);
  });
  app.openapi(allocationRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    const allocation = c.req.valid('json') as z.infer<typeof AllocationBody>;
    return c.json(answer(await setQuotaSettingFor(deps, accountId, environment, { kind: 'allocation', allocation }), accountId, environment), 200);
  });
}

function answer(result: Awaited<ReturnType<typeof setQuotaSettingFor>>, accountId: string, environment: string) {
  if (result.outcome === 'not-running') throw new ApiError(404, 'NOT_CONNECTED', `No running Salesforce ${environment} connection for account ${accountId}.`);
  if (result.outcome === 'refused') throw new ApiError(409, 'SETTING_REFUSED', `The connection refused the setting: ${result.message}`);
  return { ...result.status, nextWindowStart: result.status.schedule?.nextStart ?? null };
}

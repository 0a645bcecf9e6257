import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { sendSupportCommand, type SupportCommand } from '../connections/commands.js';
import { syncHealth } from '../connections/health.js';
import { connectionStatus, type LifecycleDeps } from '../connections/lifecycle.js';
import { findConnection } from '../../db/connections.js';
import { ApiError } from '../errors.js';
import { registerQuotaRoutes } from './support-quota.js';
import { ConnectionParams, ConnectionStatusSchema, ErrorSchema, errorResponses } from '../schemas.js';

const descriptions: Record<SupportCommand, string> = {
  pause: 'Pause the sync after the current page (no Salesforce calls while paused)',
  resume: 'Resume a paused sync; also re-checks a connection in the error phase now',
  resync: 'Re-read everything from Salesforce after the current page; FastFollow data is kept and upserted',
};

// The body is the status itself (as the status route answers it); `status` repeats it for clients of the
// first version of these routes, which answered `{accepted, status}`.
const CommandAnswer = ConnectionStatusSchema.extend({ accepted: z.literal(true), applied: z.boolean(), status: ConnectionStatusSchema }).openapi('SupportCommandAnswer');

function commandRoute(command: SupportCommand) {
  return createRoute({
    method: 'post',
    path: `/api/support/connections/{accountId}/{environment}/${command}`,
    tags: ['support'],
    summary: descriptions[command],
    security: [{ supportToken: [] }],
    request: { params: ConnectionParams },
    responses: {
      200: { description: 'Done: the connection status after the command took effect (after the page in flight)', content: { 'application/json': { schema: CommandAnswer } } },
      202: { description: 'Queued: the page in flight took longer than 15 s; the status now, the command applies after that page', content: { 'application/json': { schema: CommandAnswer } } },
      404: { description: 'No running connection', content: { 'application/json': { schema: ErrorSchema } } },
      ...errorResponses,
    },
  });
}

const WriteBackHealthSchema = z
  .object({
    pending: z.number().openapi({ description: 'FastFollow edits captured and not yet written to Salesforce' }),
    failed: z.array(
      z.object({ code: z.string(), message: z.string(), fix: z.string(), records: z.number(), sampleRecordIds: z.array(z.string()) }).openapi({ description: 'Edits Salesforce refused, by its error code, with the fix' }),
    ),
    conflicts: z.number().openapi({ description: 'Fields changed on both sides, resolved so far' }),
    recentConflicts: z.array(
      z.object({
        object: z.string(),
        salesforceId: z.string(),
        field: z.string().openapi({ description: 'FastFollow field (e.g. stage, phone)' }),
        fastfollowValue: z.string().nullable(),
        salesforceValue: z.string().nullable(),
        winner: z.enum(['salesforce', 'fastfollow']),
        detectedAt: z.string(),
      }),
    ),
    bornRecords: z
      .object({
        pending: z.number(),
        failed: z.array(z.object({ code: z.string(), message: z.string(), fix: z.string(), records: z.number(), sampleFastFollowIds: z.array(z.string()) })),
      })
      .openapi({ description: 'Contacts and deals created in FastFollow: waiting to be created in Salesforce, and refused by code with the fix' }),
    brokenMappings: z
      .array(
        z.object({
          object: z.string(),
          salesforceField: z.string(),
          fastfollowField: z.string(),
          direction: z.string(),
          code: z.string(),
          since: z.string().nullable(),
          fix: z.string(),
        }),
      )
      .openapi({ description: 'Custom mappings Salesforce refused (e.g. field-level security changed): left out until the mappings are saved again' }),
    backfillsPending: z.number().openapi({ description: 'New Salesforce → FastFollow custom mappings whose backfill has not finished' }),
  })
  .openapi({ description: 'Write-back of FastFollow edits (contact email and phone; deal title, value, stage, close date) to Salesforce' });

const HealthSchema = z
  .object({
    accountId: z.string(),
    environment: z.string(),
    phase: ConnectionStatusSchema.shape.phase,
    apiUsage: z.object({
      orgUsed: z.number().nullable().openapi({ description: "The org's API calls in the rolling 24 h (all integrations)" }),
      orgLimit: z.number().nullable().openapi({ description: "The org's daily API request limit" }),
      bySync: z.number().openapi({ description: 'Calls this sync made since the connection started' }),
      checkedAt: z.string().nullable(),
    }),
    currentError: ConnectionStatusSchema.shape.error,
    revocation: ConnectionStatusSchema.shape.revocation,
    quota: z
      .object({
        integrationCalls24h: z.number().openapi({ description: 'Salesforce calls this integration made in the last 24 h (every lane)' }),
        allowedCalls: z.number().nullable().openapi({ description: 'Calls per 24 h its allocation allows' }),
        share: z.number().nullable(),
        dailyCalls: z.number().nullable(),
        orgLimit: z.number().nullable(),
        orgUsed: z.number().nullable().openapi({ description: 'The org’s calls in the rolling 24 h, all tools (at the last call)' }),
        orgRemaining: z.number().nullable(),
        checkedAt: z.string().nullable(),
      })
      .openapi({ description: 'API budget: the integration’s use against its allocation and the org’s daily limit' }),
    progress: z.object({
      objects: ConnectionStatusSchema.shape.objects,
      initialSync: ConnectionStatusSchema.shape.initialSync,
      plan: ConnectionStatusSchema.shape.plan,
    }),
    schedule: ConnectionStatusSchema.shape.schedule.nullable(),
    waiting: ConnectionStatusSchema.shape.waiting,
    recordErrors: z.array(
      z.object({
        code: z.string(),
        message: z.string(),
        fix: z.string(),
        records: z.number(),
        objects: z.array(z.string()),
        sampleRecordIds: z.array(z.string()),
        lastSeenAt: z.string(),
      }),
    ),
    reconciliation: z
      .object({
        lastCheckedAt: z.string().nullable().openapi({ description: 'When deletes were last checked (getDeleted) or reconciled, any object' }),
        lastRunAt: z.string().nullable().openapi({ description: 'When the latest Id reconciliation finished' }),
        reason: z.string().nullable().openapi({ description: 'Why the latest Id reconciliation ran' }),
        removed: z.record(z.string(), z.number()).openapi({ description: 'Rows each object’s latest Id reconciliation removed (records gone from Salesforce that queryAll no longer showed)' }),
        totalRemoved: z.record(z.string(), z.number()),
        inProgress: z.array(z.string()).openapi({ description: 'Objects whose Ids are being listed now' }),
      })
      .openapi({ description: 'Deletes found by reconciliation rather than by reading changes (records purged from the recycle bin, hard deletes)' }),
    bulkJobsLost: z
      .array(z.object({ object: z.string(), lost: z.number(), reason: z.string().nullable(), at: z.string().nullable() }))
      .openapi({ description: 'Bulk query jobs Salesforce failed, aborted or deleted; the read went on with a new job (or REST)' }),
    writeBack: WriteBackHealthSchema,
  })
  .openapi('SyncHealth');

const healthRoute = createRoute({
  method: 'get',
  path: '/api/support/connections/{accountId}/{environment}/health',
  tags: ['support'],
  summary: 'Sync health: API usage, the current error, and record-level errors grouped by code with the fix',
  security: [{ supportToken: [] }],
  request: { params: ConnectionParams },
  responses: {
    200: { description: 'Health', content: { 'application/json': { schema: HealthSchema } } },
    404: { description: 'Never connected', content: { 'application/json': { schema: ErrorSchema } } },
    ...errorResponses,
  },
});

export function registerSupportRoutes(app: OpenAPIHono, deps: LifecycleDeps): void {
  registerQuotaRoutes(app, deps);
  app.openapi(healthRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    const [row, status] = await Promise.all([findConnection(deps.db, accountId, environment), connectionStatus(deps, accountId, environment)]);
    if (!row || !status) throw new ApiError(404, 'NOT_CONNECTED', `Account ${accountId} has never connected a ${environment} Salesforce org.`);
    return c.json(await syncHealth(deps.db, row.id, status), 200);
  });

  for (const command of ['pause', 'resume', 'resync'] as const) {
    app.openapi(commandRoute(command), async (c) => {
      const { accountId, environment } = c.req.valid('param');
      const answer = await sendSupportCommand(deps, accountId, environment, command);
      if (!answer) throw new ApiError(404, 'NOT_CONNECTED', `No running Salesforce ${environment} connection for account ${accountId}.`);
      const body = { ...answer.status, accepted: true as const, applied: answer.applied, status: answer.status };
      return answer.applied ? c.json(body, 200) : c.json(body, 202);
    });
  }
}

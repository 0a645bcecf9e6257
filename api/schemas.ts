import { z } from '@hono/zod-openapi';
import { SYNC_PHASES } from '../domain/connection-status.js';
import { WEEKDAYS } from '../domain/offhours.js';
import { ENVIRONMENTS } from '../domain/environment.js';

// Shared request/response schemas. Account ids become part of Temporal workflow ids
// (`salesforce-connection:<accountId>:<environment>`), so ':' and whitespace are refused.
export const AccountId = z
  .string()
  .min(1, 'accountId is required')
  .max(200, 'accountId must be at most 200 characters')
  .regex(/^[A-Za-z0-9_.@-]+$/, 'accountId may contain only letters, digits and _ . @ -')
  .openapi({ example: 'acct_123' });

export const Environment = z.enum(ENVIRONMENTS).openapi({ example: 'production' });

export const ConnectionParams = z.object({
  accountId: AccountId.openapi({ param: { name: 'accountId', in: 'path' } }),
  environment: Environment.openapi({ param: { name: 'environment', in: 'path' } }),
});

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fix: z.string().optional(),
      fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const StatusErrorSchema = z.object({ code: z.string(), message: z.string(), fix: z.string(), at: z.string() });

export const OffHoursWindowSchema = z
  .object({
    start: z.string().openapi({ example: '01:00', description: 'Local start time "HH:MM" (or "HH:MM:SS"), 24-hour' }),
    end: z.string().openapi({ example: '05:00', description: 'Local end time; before start = the window crosses midnight' }),
    timezone: z.string().openapi({ example: 'America/New_York', description: 'IANA time zone; DST is handled' }),
    days: z.array(z.enum(WEEKDAYS)).optional().openapi({ description: 'Days the window starts on (absent = every day)', example: ['mon', 'tue', 'wed', 'thu', 'fri'] }),
  })
  .openapi('OffHoursWindow');

const WindowStartSchema = z.object({ utc: z.string(), local: z.string() }).openapi({ description: 'A window start in UTC and in the window’s own time zone (ISO 8601 with offset)' });

const QuotaStatusFields = {
  schedule: z
    .object({ window: OffHoursWindowSchema.nullable(), open: z.boolean(), nextStart: WindowStartSchema.nullable() })
    .optional()
    .openapi({ description: 'The off-hours window for heavy sync work; `open`: heavy work may run now' }),
  allocation: z
    .object({ share: z.number().nullable(), dailyCalls: z.number().nullable(), allowedCalls: z.number().nullable(), usedCalls24h: z.number() })
    .optional()
    .openapi({ description: "The integration's API allocation (null share and dailyCalls = the default share) and its own calls in the last 24 h" }),
  waiting: z
    .object({ kind: z.enum(['offhours', 'budget', 'backoff', 'error_recheck']), reason: z.string(), until: z.string() })
    .nullable()
    .optional()
    .openapi({ description: 'What the sync waits for now and when it tries again (UTC)' }),
  plan: z
    .object({ reason: z.string(), estimatedCalls: z.number(), estimatedCompletionAt: z.string() })
    .nullable()
    .optional()
    .openapi({ description: 'An initial sync spread over several days to stay within the allocation' }),
};

export const ConnectionStatusSchema = z
  .object({
    accountId: z.string(),
    environment: Environment,
    orgId: z.string(),
    phase: z.enum(SYNC_PHASES),
    connectedAt: z.string(),
    lastSyncAt: z.string().nullable(),
    lastCheckedAt: z.string().nullable(),
    objects: z.record(z.string(), z.object({ records: z.number(), lastSyncAt: z.string().nullable() })),
    apiUsage: z.object({ used: z.number(), max: z.number(), checkedAt: z.string() }).nullable(),
    initialSync: z
      .object({ startedAt: z.string(), completedAt: z.string().nullable(), records: z.number(), apiCalls: z.number() })
      .nullable()
      .optional(),
    syncApiCalls: z.number().optional(),
    error: StatusErrorSchema.nullable(),
    endedReason: z.string().nullable(),
    revocation: z
      .object({
        state: z.enum(['pending', 'done']),
        attempts: z.number(),
        lastError: z.string().nullable(),
        doneAt: z.string().nullable(),
      })
      .nullable()
      .optional()
      .openapi({ description: "Once disconnected: whether Salesforce has revoked the grant yet ('pending' while the login host is unreachable; retried until done)" }),
    ...QuotaStatusFields,
  })
  .openapi('ConnectionStatus');

export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or wrong bearer token', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

// Follow-ups logged as Salesforce Tasks (api/routes/followups.ts).
export const FollowupId = z
  .string()
  .min(1, 'followupId is required')
  .max(200, 'followupId must be at most 200 characters')
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'followupId may contain only letters, digits and _ . : @ -')
  .openapi({ example: 'fu_01HZX3K7' });

const Email = (field: string) => z.email(`${field} must be an email address`).max(254, `${field} must be at most 254 characters`);

export const PostFollowupBody = z
  .object({
    followupId: FollowupId,
    accountId: AccountId,
    environment: Environment.default('production'),
    contactEmail: Email('contactEmail').openapi({ example: 'jane@acme.example' }),
    dealId: z.string().min(1).max(200, 'dealId must be at most 200 characters').optional()
      .openapi({ description: "FastFollow's deal id (or the Salesforce Opportunity Id of a deal mirrored from this connection); the Task is related to its opportunity" }),
    sentAt: z.iso.datetime({ offset: true, message: 'sentAt must be an ISO 8601 date-time with a time zone, e.g. 2025-03-01T23:30:00Z' }),
    subject: z.string().trim().min(1, 'subject must not be empty').max(1_000, 'subject must be at most 1000 characters')
      .openapi({ description: "The Task's Subject (Salesforce keeps the first 255 characters)" }),
    body: z.string().nullable().optional()
      .openapi({ description: "The Task's Description; beyond Salesforce's 32,000 characters it is shortened, with a note" }),
    senderEmail: Email('senderEmail').optional()
      .openapi({ description: "The Task's owner is the Salesforce user with this email, else the connected user" }),
  })
  .openapi('PostFollowup');

export const FollowupStatusSchema = z
  .object({
    followupId: z.string(),
    status: z.enum(['pending', 'logged', 'failed']),
    salesforceTaskId: z.string().optional(),
    loggedAt: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string(), fix: z.string() }).optional(),
  })
  .openapi('FollowupStatus');

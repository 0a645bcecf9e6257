import { z } from '@hono/zod-openapi';
import { SYNC_PHASES } from '../domain/connection-status.js';
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
  })
  .openapi('ConnectionStatus');

export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or wrong bearer token', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { sendSupportCommand, type SupportCommand } from '../../lib/connections/commands.js';
import type { LifecycleDeps } from '../../lib/connections/lifecycle.js';
import { ApiError } from '../errors.js';
import { ConnectionParams, ConnectionStatusSchema, ErrorSchema, errorResponses } from '../schemas.js';

const descriptions: Record<SupportCommand, string> = {
  pause: 'Pause the sync after the current page (no Salesforce calls while paused)',
  resume: 'Resume a paused sync; also re-checks a connection in the error phase now',
  resync: 'Re-read everything from Salesforce after the current page; FastFollow data is kept and upserted',
};

function commandRoute(command: SupportCommand) {
  return createRoute({
    method: 'post',
    path: `/api/support/connections/{accountId}/{environment}/${command}`,
    tags: ['support'],
    summary: descriptions[command],
    security: [{ supportToken: [] }],
    request: { params: ConnectionParams },
    responses: {
      202: {
        description: 'Accepted; the status right after the command was delivered',
        content: { 'application/json': { schema: z.object({ accepted: z.literal(true), status: ConnectionStatusSchema }) } },
      },
      404: { description: 'No running connection', content: { 'application/json': { schema: ErrorSchema } } },
      ...errorResponses,
    },
  });
}

export function registerSupportRoutes(app: OpenAPIHono, deps: LifecycleDeps): void {
  for (const command of ['pause', 'resume', 'resync'] as const) {
    app.openapi(commandRoute(command), async (c) => {
      const { accountId, environment } = c.req.valid('param');
      const status = await sendSupportCommand(deps.temporal, accountId, environment, command);
      if (!status) throw new ApiError(404, 'NOT_CONNECTED', `No running Salesforce ${environment} connection for account ${accountId}.`);
      return c.json({ accepted: true as const, status }, 202);
    });
  }
}

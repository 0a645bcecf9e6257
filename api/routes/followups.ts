import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { LifecycleDeps } from '../connections/lifecycle.js';
import { followupStatus, postFollowup } from '../followups/log-followup.js';
import { ErrorSchema, errorResponses, FollowupId, FollowupStatusSchema, PostFollowupBody } from '../schemas.js';

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

const postRoute = createRoute({
  method: 'post',
  path: '/api/followups',
  tags: ['followups'],
  summary: 'Log a sent follow-up as a completed Salesforce Task (exactly once per followupId)',
  security: [{ serviceToken: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: PostFollowupBody } } } },
  responses: {
    202: { description: "Stored; the Task is logged within seconds (the same followupId again answers this follow-up's status)", content: { 'application/json': { schema: FollowupStatusSchema } } },
    409: error('NOT_CONNECTED: the account has no active connection for that environment (nothing stored); FOLLOWUP_ID_CONFLICT: the id belongs to another account'),
    503: error('TEMPORARILY_UNAVAILABLE: stored, but the sync could not be told; post again with the same followupId'),
    ...errorResponses,
  },
});

const statusRoute = createRoute({
  method: 'get',
  path: '/api/followups/{followupId}',
  tags: ['followups'],
  summary: "A follow-up's Task logging status: pending, logged (with the Task Id) or failed (with the error and its fix)",
  security: [{ serviceToken: [] }],
  request: { params: z.object({ followupId: FollowupId.openapi({ param: { name: 'followupId', in: 'path' } }) }) },
  responses: {
    200: { description: 'Status', content: { 'application/json': { schema: FollowupStatusSchema } } },
    404: error('FOLLOWUP_NOT_FOUND'),
    ...errorResponses,
  },
});

export function registerFollowupRoutes(app: OpenAPIHono, deps: LifecycleDeps): void {
  app.openapi(postRoute, async (c) => c.json(await postFollowup(deps, c.req.valid('json')), 202));
  app.openapi(statusRoute, async (c) => c.json(await followupStatus(deps, c.req.valid('param').followupId), 200));
}

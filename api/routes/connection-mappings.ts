import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { getMappings, putMappings } from '../connections/mappings.js';
import type { LifecycleDeps } from '../connections/lifecycle.js';
import { ConnectionParams, ErrorSchema, errorResponses } from '../schemas.js';
import { DIRECTIONS, MAPPING_OBJECTS } from '../../domain/field-mappings.js';

// GET/PUT …/connections/:accountId/:environment/mappings: the default field mapping beside the
// connection's custom mappings; PUT replaces the custom ones after checking them against the org.

const Mapping = z.object({
  object: z.enum(MAPPING_OBJECTS),
  salesforceField: z.string().min(1).max(80).regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Salesforce field API name (letters, digits, _)'),
  fastfollowField: z.string().min(1).max(80).openapi({ example: 'custom.region' }),
  direction: z.enum(DIRECTIONS),
});

const MappingView = Mapping.extend({
  default: z.boolean(),
  backfillPending: z.boolean().optional(),
  backfilledAt: z.string().nullable().optional(),
  broken: z.object({ code: z.string(), message: z.string().nullable(), at: z.string().nullable() }).nullable().optional(),
});

const MappingsAnswer = z.object({ mappings: z.array(MappingView), createRecordsInSalesforce: z.boolean() }).openapi('FieldMappings');
const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });
const path = '/api/integrations/salesforce/connections/{accountId}/{environment}/mappings';

const getRoute = createRoute({
  method: 'get', path, tags: ['connections'], security: [{ serviceToken: [] }],
  summary: 'Field mappings: the defaults beside the custom ones (with backfill and health state)',
  request: { params: ConnectionParams },
  responses: { 200: { description: 'Mappings', content: { 'application/json': { schema: MappingsAnswer } } }, 404: error('NOT_CONNECTED'), ...errorResponses },
});

const putRoute = createRoute({
  method: 'put', path, tags: ['connections'], security: [{ serviceToken: [] }],
  summary: "Replace the custom field mappings (checked against the org's describe); optionally turn creating FastFollow's new records in Salesforce on or off",
  request: {
    params: ConnectionParams,
    body: { required: true, content: { 'application/json': { schema: z.object({ mappings: z.array(Mapping).max(200), createRecordsInSalesforce: z.boolean().optional() }) } } },
  },
  responses: {
    200: { description: 'Saved; the mappings as GET shows them', content: { 'application/json': { schema: MappingsAnswer } } },
    404: error('NOT_CONNECTED'),
    409: error('NOT_CONNECTED: the connection is revoked or disconnected'),
    502: error("The org's describe could not be read (the code says why)"),
    ...errorResponses,
  },
});

export function registerMappingRoutes(app: OpenAPIHono, deps: LifecycleDeps): void {
  app.openapi(getRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    return c.json(await getMappings(deps, accountId, environment), 200);
  });
  app.openapi(putRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    return c.json(await putMappings(deps, accountId, environment, c.req.valid('json')), 200);
  });
}

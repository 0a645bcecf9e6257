import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Probe } from '../health-probes.js';

const Reachability = z.enum(['up', 'down']);
const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    temporal: Reachability,
    database: Reachability,
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/api/health',
  tags: ['health'],
  summary: 'Whether Temporal and the database are reachable',
  responses: {
    200: { description: 'Everything reachable', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'Temporal or the database is unreachable', content: { 'application/json': { schema: HealthSchema } } },
  },
});

export function registerHealthRoute(app: OpenAPIHono, probes: { database: Probe; temporal: Probe }): void {
  app.openapi(route, async (c) => {
    const [database, temporal] = await Promise.all([probes.database(), probes.temporal()]);
    const body = {
      status: database && temporal ? ('ok' as const) : ('degraded' as const),
      temporal: temporal ? ('up' as const) : ('down' as const),
      database: database ? ('up' as const) : ('down' as const),
    };
    return body.status === 'ok' ? c.json(body, 200) : c.json(body, 503);
  });
}

// Control API for what an org admin changes in Setup after the org exists: validation rules and a
// user's object and field permissions (field-level security). Mounted by control.ts.
import { Hono } from 'hono';
import { z } from 'zod';
import type { EmulatorState, Org, UserPermissions } from './store.js';
import { to18 } from './ids.js';
import { deleteValidationRule, listValidationRules, setValidationRule, VALIDATION_OPS } from './validation-rules.js';

/** The control API's own failure (400 or 404), answered `{error}` by the server. */
export class SetupError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

/** A user's permissions, as POST /orgs/:orgId/users and PUT …/permissions accept them. */
export const permissionsSchema = z.object({
  objects: z.record(z.string(), z.object({
    read: z.boolean().optional(),
    create: z.boolean().optional(),
    edit: z.boolean().optional(),
    delete: z.boolean().optional(),
  })).optional(),
  fields: z.record(z.string(), z.enum(['hidden', 'read', 'edit'])).optional(),
  system: z.object({ viewSetup: z.boolean().optional() }).strict().optional(),
});

const ruleSchema = z.object({
  object: z.string().min(1),
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a rule name is letters, digits and underscores, starting with a letter'),
  field: z.string().optional(),
  condition: z.object({
    field: z.string().min(1),
    op: z.enum(VALIDATION_OPS),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  }),
  message: z.string().min(1),
  active: z.boolean().optional(),
});

async function body<T>(schema: z.ZodType<T>, c: { req: { text(): Promise<string> } }): Promise<T> {
  let json: unknown;
  try {
    json = JSON.parse((await c.req.text()) || '{}');
  } catch {
    throw new SetupError(400, 'Body must be JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new SetupError(400, `Invalid body: ${z.prettifyError(result.error)}`);
  return result.data;
}

function orgOf(state: EmulatorState, orgId: string): Org {
  const org = state.org(orgId);
  if (!org) throw new SetupError(404, `No org ${orgId}`);
  return org;
}

export function securityRoutes(state: EmulatorState): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    if (err instanceof SetupError) return c.json({ error: err.message }, err.status);
    throw err;
  });

  app.post('/orgs/:orgId/validation-rules', async (c) => {
    const org = orgOf(state, c.req.param('orgId'));
    const input = await body(ruleSchema, c);
    try {
      const { value, ...condition } = input.condition;
      const rule = setValidationRule(org, { ...input, condition: value === undefined ? condition : { ...condition, value } });
      return c.json(rule, 201);
    } catch (e) {
      throw new SetupError(400, (e as Error).message);
    }
  });

  app.get('/orgs/:orgId/validation-rules', (c) => c.json({ rules: listValidationRules(orgOf(state, c.req.param('orgId'))) }));

  app.delete('/orgs/:orgId/validation-rules/:object/:name', (c) => {
    const org = orgOf(state, c.req.param('orgId'));
    if (!deleteValidationRule(org, c.req.param('object'), c.req.param('name'))) {
      throw new SetupError(404, `No validation rule ${c.req.param('object')}.${c.req.param('name')}`);
    }
    return c.json({ ok: true });
  });

  // Replaces a user's permissions; the next API call already sees them (describe, SOQL, writes).
  app.put('/orgs/:orgId/users/:userId/permissions', async (c) => {
    const org = orgOf(state, c.req.param('orgId'));
    const user = org.users.get(to18(c.req.param('userId')) ?? '');
    if (!user) throw new SetupError(404, `No user ${c.req.param('userId')} in org ${org.id}`);
    user.permissions = (await body(permissionsSchema, c)) as UserPermissions;
    return c.json({ userId: user.id, permissions: user.permissions });
  });

  return app;
}

// The control API under /__emulator: how tests, scripts and `npm start` set up orgs, users,
// connected apps, data and faults, and inspect usage and tokens. Not part of Salesforce.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { iso } from './clock.js';
import type { Actor } from './dml.js';
import { KEY_PREFIXES, to18 } from './ids.js';
import { customField, type CustomFieldSpec } from './schema.js';
import { generateRecords } from './seed.js';
import { DEFAULT_DAILY_API_LIMIT, type EmulatorState, type Org, type Row, type UserAccount } from './store.js';
import { createRecords, deleteRecords, updateRecords } from './rest/writes.js';
import { copyOrgAsSandbox, SandboxCopyError } from './sandbox-copy.js';
import { permissionsSchema, securityRoutes } from './control-security.js';
import { emptyRecycleBin, hardDelete } from './recycle-bin.js';

export class ControlError extends Error {
  constructor(readonly status: 400 | 404 | 409, message: string, readonly details?: unknown) {
    super(message);
  }
}

const EDITIONS = ['Developer', 'Enterprise', 'Unlimited', 'Performance', 'Professional', 'Essentials'] as const;
const FIELD_TYPES = ['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'reference', 'boolean', 'int', 'double', 'currency', 'percent', 'date', 'datetime'] as const;

const customFieldSchema = z.object({
  name: z.string(),
  type: z.enum(FIELD_TYPES),
  label: z.string().optional(),
  length: z.number().int().positive().optional(),
  createable: z.boolean().optional(),
  updateable: z.boolean().optional(),
  nillable: z.boolean().optional(),
  referenceTo: z.array(z.string()).optional(),
  picklistValues: z.array(z.string()).optional(),
  restricted: z.boolean().optional(),
  externalId: z.boolean().optional(),
  unique: z.boolean().optional(),
  caseSensitive: z.boolean().optional(),
});

const orgSettingsSchema = z.object({
  name: z.string().min(1).optional(),
  edition: z.enum(EDITIONS).optional(),
  environment: z.enum(['production', 'sandbox']).optional(),
  dailyApiLimit: z.number().int().nonnegative().optional(),
  timezone: z.string().min(1).optional(),
  sessionTimeoutSeconds: z.number().positive().optional(),
  // Bulk API 2.0 query jobs (rest/bulk.ts): how jobs created from now on end, how long they process, how long they are kept.
  bulkJobOutcome: z.enum(['complete', 'failed', 'aborted']).optional(),
  bulkJobFailAfterPolls: z.number().int().nonnegative().optional(),
  bulkProcessingMsPerThousand: z.number().nonnegative().optional(),
  bulkJobRetentionDays: z.number().positive().optional(),
  // The recycle bin (recycle-bin.ts) and the concurrent long-request limit (rest/context.ts); null turns them off.
  recycleBinDays: z.number().positive().nullable().optional(),
  concurrentLongRequestLimit: z.number().int().nonnegative().nullable().optional(),
});

const createOrgSchema = orgSettingsSchema.extend({
  customFields: z.record(z.string(), z.array(customFieldSchema)).optional(),
});

const createUserSchema = z.object({
  username: z.string().min(3),
  password: z.string().min(1),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  email: z.string().optional(),
  permissions: permissionsSchema.optional(),
});

const connectedAppSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  callbackUrl: z.union([z.string().url(), z.array(z.string().url()).min(1)]),
  requirePkce: z.boolean().optional(),
  rotateRefreshTokens: z.boolean().optional(),
  requireSecret: z.boolean().optional(),
  scopes: z.array(z.string()).optional(),
});

const insertSchema = z.union([
  z.object({ records: z.array(z.record(z.string(), z.unknown())) }),
  z.object({ generate: z.number().int().positive().max(2_000_000), seed: z.number().int().optional() }),
]);

const updateSchema = z.object({
  records: z.array(z.record(z.string(), z.unknown())),
  sameTimestamp: z.boolean().optional(),
  userId: z.string().optional(),
});

const faultsSchema = z.object({
  latencyMs: z.number().nonnegative().optional(),
  latencyJitterMs: z.number().nonnegative().optional(),
  expireSessionEveryCalls: z.number().int().positive().optional(),
  transientErrorRate: z.number().min(0).max(1).optional(),
  forcedErrors: z.array(z.object({
    method: z.string().optional(),
    path: z.string().optional(),
    status: z.number().int().min(400).max(599),
    errorCode: z.string(),
    message: z.string().optional(),
    times: z.number().int().positive().optional(),
  })).optional(),
  clockOffsetMs: z.number().optional(),
  seed: z.number().int().optional(),
  tokenLatencyMs: z.number().nonnegative().optional(),
  tokenResponseDelayMs: z.number().nonnegative().optional(),
  bulkJobProcessingMs: z.number().nonnegative().optional(),
  dropResponseAfterCommit: z.object({
    method: z.string().optional(),
    path: z.string().optional(),
    times: z.number().int().positive().optional(),
  }).optional(),
});

const sandboxCopySchema = z.object({
  kind: z.enum(['full', 'partial']),
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,9}$/, 'a sandbox name is 1-10 letters and digits, starting with a letter').optional(),
  recordsPerObject: z.number().int().positive().optional(),
});

const revokeSchema = z.object({ clientId: z.string().optional(), userId: z.string().optional() });

const DEFAULT_SCOPES = ['api', 'refresh_token', 'offline_access', 'id', 'profile', 'email', 'openid', 'web', 'full'];

async function parse<T>(schema: z.ZodType<T>, c: { req: { text(): Promise<string> } }): Promise<T> {
  const text = await c.req.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new ControlError(400, 'Body must be JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new ControlError(400, `Invalid body: ${z.prettifyError(result.error)}`);
  return result.data;
}

function addUser(state: EmulatorState, org: Org, input: z.infer<typeof createUserSchema>, admin = false): UserAccount {
  const key = input.username.toLowerCase();
  if (state.usersByUsername.has(key)) throw new ControlError(409, `Username ${input.username} is already taken (usernames are unique across all orgs)`);
  const localPart = input.username.split('@')[0] ?? 'user';
  const user: UserAccount = {
    id: state.ids.next(KEY_PREFIXES.User),
    orgId: org.id,
    username: input.username,
    password: input.password,
    firstName: input.firstName ?? (admin ? 'Admin' : localPart.charAt(0).toUpperCase() + localPart.slice(1)),
    lastName: input.lastName ?? 'User',
    email: input.email ?? (input.username.includes('@') ? input.username : `${localPart}@example.com`),
    permissions: input.permissions ?? {},
  };
  org.users.set(user.id, user);
  if (!admin) state.usersByUsername.set(key, user);
  const now = iso(org.now());
  org.put('User', {
    Id: user.id, IsDeleted: false, CreatedDate: now, CreatedById: org.adminUserId ?? user.id, LastModifiedDate: now,
    LastModifiedById: org.adminUserId ?? user.id, SystemModstamp: now, Username: user.username, FirstName: user.firstName,
    LastName: user.lastName, Name: `${user.firstName} ${user.lastName}`.trim(), Email: user.email,
    Alias: localPart.slice(0, 8), IsActive: true, TimeZoneSidKey: org.settings.timezone,
  });
  return user;
}

function orgOr404(state: EmulatorState, orgId: string): Org {
  const org = state.org(orgId);
  if (!org) throw new ControlError(404, `No org ${orgId}`);
  return org;
}

function objectOr400(org: Org, name: string) {
  const obj = org.object(name);
  if (!obj) throw new ControlError(400, `Unknown sObject ${name}`);
  return obj;
}

export function controlRoutes(state: EmulatorState): Hono {
  const app = new Hono();
  app.route('/', securityRoutes(state));

  app.post('/reset', (c) => {
    state.reset();
    return c.json({ ok: true });
  });

  app.post('/login-hosts/:environment/faults', async (c) => {
    const environment = c.req.param('environment');
    if (environment !== 'production' && environment !== 'sandbox') throw new ControlError(404, `Unknown login host ${environment}`);
    const body = await parse(z.object({ revoke: z.enum(['unavailable', 'hang']).nullable().optional() }), c);
    state.loginHostFaults[environment] = body.revoke ? { revoke: body.revoke } : {};
    return c.json({ ok: true, faults: state.loginHostFaults[environment] });
  });

  app.post('/clock', async (c) => {
    const { offsetMs } = await parse(z.object({ offsetMs: z.number() }), c);
    state.clock.offsetMs = offsetMs;
    return c.json({ offsetMs, now: iso(state.clock.now()) });
  });
  app.get('/clock', (c) => c.json({ offsetMs: state.clock.offsetMs, now: iso(state.clock.now()) }));

  app.post('/orgs', async (c) => {
    const body = await parse(createOrgSchema, c);
    const edition = body.edition ?? 'Developer';
    const environment = body.environment ?? 'production';
    const org = state.createOrg({
      name: body.name ?? `${edition} ${environment === 'sandbox' ? 'Sandbox' : 'Org'}`,
      edition,
      environment,
      dailyApiLimit: body.dailyApiLimit ?? DEFAULT_DAILY_API_LIMIT[edition],
      timezone: body.timezone ?? 'America/Los_Angeles',
      sessionTimeoutSeconds: body.sessionTimeoutSeconds ?? 7200,
    });
    // Every org has an administrator who owns records created through the control API.
    const admin = addUser(state, org, { username: `admin@${org.id.toLowerCase()}.emulator.invalid`, password: randomBytes(16).toString('hex') }, true);
    org.adminUserId = admin.id;
    for (const [objectName, fields] of Object.entries(body.customFields ?? {})) {
      org.addCustomFields(objectOr400(org, objectName).name, fields.map((f) => customField(f as CustomFieldSpec)));
    }
    return c.json({ orgId: org.id, instanceUrl: state.productionUrl, loginUrl: state.loginUrl(environment), adminUserId: admin.id }, 201);
  });

  app.get('/orgs', (c) => c.json({ orgs: [...state.orgs.values()].map((o) => ({ orgId: o.id, ...o.settings })) }));

  app.get('/orgs/:orgId', (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    return c.json({ orgId: org.id, ...org.settings, instanceUrl: state.productionUrl, loginUrl: state.loginUrl(org.settings.environment) });
  });

  // A sandbox copied from a production org: same record Ids, users with the sandbox name appended (sandbox-copy.ts).
  app.post('/orgs/:orgId/sandboxes', async (c) => {
    const source = orgOr404(state, c.req.param('orgId'));
    const body = await parse(sandboxCopySchema, c);
    const options = { kind: body.kind, name: body.name ?? (body.kind === 'full' ? 'full' : 'partial'), recordsPerObject: body.recordsPerObject ?? 10_000 };
    let copy;
    try {
      copy = copyOrgAsSandbox(state, source, options, source.adminUserId);
    } catch (e) {
      if (e instanceof SandboxCopyError) throw new ControlError(e.message.includes('already taken') ? 409 : 400, e.message);
      throw e;
    }
    const adminId = source.adminUserId;
    if (adminId) copy.org.adminUserId = adminId;
    return c.json({
      orgId: copy.org.id,
      instanceUrl: state.productionUrl,
      loginUrl: state.loginUrl('sandbox'),
      adminUserId: adminId,
      copiedFrom: source.id,
      kind: options.kind,
      users: copy.users.map((user) => ({ userId: user.id, username: user.username })),
    }, 201);
  });

  app.patch('/orgs/:orgId', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const body = await parse(orgSettingsSchema, c);
    org.settings = { ...org.settings, ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) };
    return c.json({ orgId: org.id, ...org.settings });
  });

  app.post('/orgs/:orgId/fields/:sobject', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const obj = objectOr400(org, c.req.param('sobject'));
    const { fields } = await parse(z.object({ fields: z.array(customFieldSchema) }), c);
    try {
      org.addCustomFields(obj.name, fields.map((f) => customField(f as CustomFieldSpec)));
    } catch (e) {
      throw new ControlError(400, (e as Error).message);
    }
    return c.json({ ok: true, fields: org.object(obj.name)!.fields.filter((f) => f.custom).map((f) => f.name) }, 201);
  });

  app.post('/orgs/:orgId/users', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const user = addUser(state, org, await parse(createUserSchema, c));
    return c.json({ userId: user.id, username: user.username }, 201);
  });

  app.post('/connected-apps', async (c) => {
    const body = await parse(connectedAppSchema, c);
    state.connectedApps.set(body.clientId, {
      clientId: body.clientId,
      clientSecret: body.clientSecret,
      callbackUrls: Array.isArray(body.callbackUrl) ? body.callbackUrl : [body.callbackUrl],
      requirePkce: body.requirePkce ?? false,
      rotateRefreshTokens: body.rotateRefreshTokens ?? false,
      requireSecret: body.requireSecret ?? true,
      scopes: body.scopes ?? DEFAULT_SCOPES,
    });
    return c.json({ clientId: body.clientId }, 201);
  });

  app.patch('/connected-apps/:clientId', async (c) => {
    const existing = state.connectedApps.get(c.req.param('clientId'));
    if (!existing) throw new ControlError(404, `No connected app ${c.req.param('clientId')}`);
    const body = await parse(connectedAppSchema.partial(), c);
    Object.assign(existing, Object.fromEntries(Object.entries({
      clientSecret: body.clientSecret,
      callbackUrls: body.callbackUrl === undefined ? undefined : Array.isArray(body.callbackUrl) ? body.callbackUrl : [body.callbackUrl],
      requirePkce: body.requirePkce,
      rotateRefreshTokens: body.rotateRefreshTokens,
      requireSecret: body.requireSecret,
      scopes: body.scopes,
    }).filter(([, v]) => v !== undefined)));
    return c.json({ clientId: existing.clientId });
  });

  const controlActor = (org: Org, userId?: string): Actor => {
    const id = userId ? to18(userId) : org.adminUserId;
    if (!id || !org.users.has(id)) throw new ControlError(400, `No user ${userId} in org ${org.id}`);
    return { userId: id, allowSystemFields: true };
  };

  app.post('/orgs/:orgId/records/:sobject', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const obj = objectOr400(org, c.req.param('sobject'));
    const body = await parse(insertSchema, c);
    let inputs: Row[];
    try {
      inputs = 'records' in body ? body.records : generateRecords(org, obj.name, body.generate, body.seed ?? 1);
    } catch (e) {
      throw new ControlError(400, (e as Error).message);
    }
    const actor = controlActor(org);
    const ids: string[] = [];
    // Saved in batches of 200, each with its own (strictly later) timestamp, like a data loader.
    for (let i = 0; i < inputs.length; i += 200) {
      const chunk = inputs.slice(i, i + 200).map(({ attributes: _a, ...input }) => ({ type: obj.name, input }));
      const results = createRecords(state, org, actor, chunk, true, true);
      const failed = results.findIndex((r) => !r.success && r.errors[0]?.statusCode !== 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
      if (failed >= 0) throw new ControlError(400, `Record ${i + failed} was refused: ${results[failed]!.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ')}`, { inserted: ids });
      for (const r of results) ids.push(r.id!);
    }
    return c.json({ count: ids.length, ids }, 201);
  });

  app.patch('/orgs/:orgId/records/:sobject', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const obj = objectOr400(org, c.req.param('sobject'));
    const body = await parse(updateSchema, c);
    const actor: Actor = { userId: controlActor(org, body.userId).userId };
    const items = body.records.map(({ Id, id, attributes: _a, ...input }) => ({ type: obj.name, id: String(Id ?? id ?? ''), input }));
    const results = updateRecords(state, org, actor, items, false, body.sameTimestamp !== true);
    return c.json({ results });
  });

  app.delete('/orgs/:orgId/records/:sobject', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    objectOr400(org, c.req.param('sobject'));
    const { ids, hard } = await parse(z.object({ ids: z.array(z.string()).min(1), hard: z.boolean().optional() }), c);
    const remove = () => deleteRecords(org, { userId: controlActor(org).userId }, ids, false);
    // hard: true skips the recycle bin (Bulk API hardDelete): queryAll and getDeleted never see these deletes.
    return c.json({ results: hard ? hardDelete(org, remove) : remove() });
  });

  app.post('/orgs/:orgId/recycle-bin/empty', (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    return c.json({ purged: emptyRecycleBin(org) });
  });

  app.get('/orgs/:orgId/records/:sobject', (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const obj = objectOr400(org, c.req.param('sobject'));
    const table = org.table(obj.name);
    const records = [...table.rows.values()].map((r) => (r.IsDeleted === true ? { ...r, deletedDate: table.deletedAt.get(r.Id as string) ?? null } : r));
    return c.json({ totalSize: records.length, records });
  });

  app.post('/orgs/:orgId/faults', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    org.faults.configure(await parse(faultsSchema, c));
    return c.json({ ok: true, faults: org.faults.settings });
  });

  app.get('/orgs/:orgId/usage', (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    return c.json(org.usage.report(org.now(), org.settings.dailyApiLimit));
  });

  // A busy org: calls other tools spent count toward the daily limit (and show as "other tools").
  app.post('/orgs/:orgId/usage', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const { calls } = await parse(z.object({ calls: z.number().int().positive().max(1_000_000) }), c);
    org.usage.recordOtherTools(org.now(), calls);
    return c.json(org.usage.report(org.now(), org.settings.dailyApiLimit));
  });

  app.get('/orgs/:orgId/tokens', (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const t = state.tokens;
    const timeoutMs = org.settings.sessionTimeoutSeconds * 1000;
    const username = (id: string) => org.users.get(id)?.username;
    const tokens: unknown[] = [];
    for (const at of t.accessTokens.values()) {
      if (at.orgId !== org.id) continue;
      tokens.push({
        type: 'access', token: at.token, clientId: at.clientId, userId: at.userId, username: username(at.userId),
        issuedAt: iso(at.issuedAt), expiresAt: iso(at.issuedAt + timeoutMs), state: t.accessTokenState(at, org.now(), timeoutMs),
      });
    }
    for (const rt of t.refreshTokens.values()) {
      const grant = t.grants.get(rt.grantId);
      if (!grant || grant.orgId !== org.id) continue;
      tokens.push({
        type: 'refresh', token: rt.token, clientId: grant.clientId, userId: grant.userId, username: username(grant.userId),
        issuedAt: iso(rt.issuedAt), expiresAt: null, state: t.refreshTokenState(rt),
      });
    }
    return c.json({ tokens });
  });

  app.post('/orgs/:orgId/revoke', async (c) => {
    const org = orgOr404(state, c.req.param('orgId'));
    const body = await parse(revokeSchema, c);
    const userId = body.userId ? to18(body.userId) : undefined;
    const revoked = state.tokens.revokeWhere((g) => g.orgId === org.id && (!body.clientId || g.clientId === body.clientId) && (!userId || g.userId === userId));
    return c.json({ revoked });
  });

  return app;
}

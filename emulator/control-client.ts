// Typed fetch wrapper over the /__emulator control API, for tests and scripts.
import type { FaultSettings, LoginHostFaults } from './faults.js';
import type { CustomFieldSpec } from './schema.js';
import type { Environment, OrgSettings, UserPermissions } from './store.js';
import type { UsageReport } from './usage.js';
import type { ValidationRule } from './validation-rules.js';

export type { ValidationRule } from './validation-rules.js';
export type ValidationRuleInput = Omit<ValidationRule, 'active'> & { active?: boolean };

/** Settings of a new org (any of the store's org settings; defaults for the rest), plus its custom fields. */
export interface OrgInput extends Partial<OrgSettings> {
  customFields?: Record<string, CustomFieldSpec[]>;
}

export interface CreatedOrg {
  orgId: string;
  instanceUrl: string;
  loginUrl: string;
  adminUserId: string;
}

export interface ConnectedAppInput {
  clientId: string;
  clientSecret: string;
  callbackUrl: string | string[];
  requirePkce?: boolean;
  rotateRefreshTokens?: boolean;
  requireSecret?: boolean;
  scopes?: string[];
}

export interface SaveResult {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
}

export interface TokenInfo {
  type: 'access' | 'refresh';
  token: string;
  clientId: string;
  userId: string;
  username: string;
  issuedAt: string;
  expiresAt: string | null;
  state: 'active' | 'expired' | 'revoked' | 'rotated';
}

export type EmulatorRow = Record<string, unknown> & { Id: string; IsDeleted: boolean; SystemModstamp: string };

export class ControlApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: unknown) {
    super(message);
  }
}

export function createControlClient(productionUrl: string) {
  const base = `${productionUrl.replace(/\/$/, '')}/__emulator`;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ControlApiError(res.status, `${method} /__emulator${path} → ${res.status}: ${json?.error ?? text}`, json);
    return json as T;
  }

  return {
    reset: () => call<{ ok: true }>('POST', '/reset'),
    createOrg: (input: OrgInput = {}) => call<CreatedOrg>('POST', '/orgs', input),
    /** A sandbox copied from a production org (same record Ids); its users are the production users with `.<name>` appended. */
    createSandboxCopy: (productionOrgId: string, options: { kind: 'full' | 'partial'; name?: string; recordsPerObject?: number }) =>
      call<CreatedOrg & { copiedFrom: string; kind: 'full' | 'partial'; users: { userId: string; username: string }[] }>('POST', `/orgs/${productionOrgId}/sandboxes`, options),
    updateOrg: (orgId: string, settings: Omit<OrgInput, 'customFields'>) => call<Record<string, unknown>>('PATCH', `/orgs/${orgId}`, settings),
    getOrg: (orgId: string) => call<Record<string, unknown>>('GET', `/orgs/${orgId}`),
    addCustomFields: (orgId: string, sobject: string, fields: CustomFieldSpec[]) => call<{ fields: string[] }>('POST', `/orgs/${orgId}/fields/${sobject}`, { fields }),
    createUser: (orgId: string, user: { username: string; password: string; firstName?: string; lastName?: string; email?: string; permissions?: UserPermissions }) =>
      call<{ userId: string; username: string }>('POST', `/orgs/${orgId}/users`, user),
    createConnectedApp: (app: ConnectedAppInput) => call<{ clientId: string }>('POST', '/connected-apps', app),
    updateConnectedApp: (clientId: string, changes: Partial<ConnectedAppInput>) => call<{ clientId: string }>('PATCH', `/connected-apps/${encodeURIComponent(clientId)}`, changes),
    insertRecords: (orgId: string, sobject: string, records: Record<string, unknown>[]) =>
      call<{ count: number; ids: string[] }>('POST', `/orgs/${orgId}/records/${sobject}`, { records }),
    generateRecords: (orgId: string, sobject: string, count: number, seed?: number) =>
      call<{ count: number; ids: string[] }>('POST', `/orgs/${orgId}/records/${sobject}`, { generate: count, ...(seed === undefined ? {} : { seed }) }),
    updateRecords: (orgId: string, sobject: string, records: (Record<string, unknown> & { Id: string })[], options: { sameTimestamp?: boolean; userId?: string } = {}) =>
      call<{ results: SaveResult[] }>('PATCH', `/orgs/${orgId}/records/${sobject}`, { records, ...options }),
    /** Soft deletes into the recycle bin; `hard: true` skips the bin (neither queryAll nor getDeleted sees them). */
    deleteRecords: (orgId: string, sobject: string, ids: string[], options: { hard?: boolean } = {}) =>
      call<{ results: SaveResult[] }>('DELETE', `/orgs/${orgId}/records/${sobject}`, { ids, ...options }),
    /** Setup → Recycle Bin → Empty: every deleted record of the org is gone for good; counts per object. */
    emptyRecycleBin: (orgId: string) => call<{ purged: Record<string, number> }>('POST', `/orgs/${orgId}/recycle-bin/empty`),
    listRecords: (orgId: string, sobject: string) => call<{ totalSize: number; records: EmulatorRow[] }>('GET', `/orgs/${orgId}/records/${sobject}`),
    /** Replaces a user's object and field permissions (field-level security); the next API call sees them. */
    setUserPermissions: (orgId: string, userId: string, permissions: UserPermissions) =>
      call<{ userId: string; permissions: UserPermissions }>('PUT', `/orgs/${orgId}/users/${userId}/permissions`, permissions),
    /** Adds or replaces (by object and name) a validation rule: FIELD_CUSTOM_VALIDATION_EXCEPTION when its condition holds. */
    setValidationRule: (orgId: string, rule: ValidationRuleInput) => call<ValidationRule>('POST', `/orgs/${orgId}/validation-rules`, rule),
    listValidationRules: (orgId: string) => call<{ rules: ValidationRule[] }>('GET', `/orgs/${orgId}/validation-rules`),
    deleteValidationRule: (orgId: string, object: string, name: string) => call<{ ok: true }>('DELETE', `/orgs/${orgId}/validation-rules/${object}/${name}`),
    setFaults: (orgId: string, faults: FaultSettings) => call<{ ok: true }>('POST', `/orgs/${orgId}/faults`, faults),
    setLoginHostFaults: (environment: Environment, faults: LoginHostFaults) => call<{ ok: true }>('POST', `/login-hosts/${environment}/faults`, faults),
    usage: (orgId: string) => call<UsageReport>('GET', `/orgs/${orgId}/usage`),
    /** Other tools of the org spend `calls` of its daily limit now. */
    spendOtherTools: (orgId: string, calls: number) => call<UsageReport>('POST', `/orgs/${orgId}/usage`, { calls }),
    tokens: (orgId: string) => call<{ tokens: TokenInfo[] }>('GET', `/orgs/${orgId}/tokens`),
    revokeAll: (orgId: string, filter: { clientId?: string; userId?: string } = {}) => call<{ revoked: number }>('POST', `/orgs/${orgId}/revoke`, filter),
    setClock: (offsetMs: number) => call<{ offsetMs: number; now: string }>('POST', '/clock', { offsetMs }),
  };
}

export type ControlClient = ReturnType<typeof createControlClient>;

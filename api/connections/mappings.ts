import { findConnection } from '../../db/connections.js';
import { listMappings, replaceMappings, storeDescribe } from '../../db/field-mappings.js';
import { setCreateBornRecords } from '../../db/born-records.js';
import type { Environment } from '../../domain/environment.js';
import { explainError } from '../../domain/error-explanations.js';
import { DEFAULT_MAPPINGS, mappingProblem, type DescribedField, type FieldMapping, type MappingObject } from '../../domain/field-mappings.js';
import { withSalesforce } from '../../salesforce/client.js';
import { describeFields } from '../../salesforce/describe.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import { TokenManager } from '../../salesforce/token-manager.js';
import { ApiError } from '../errors.js';
import { notifyWriteBackWork } from '../temporal.js';
import type { LifecycleDeps } from './lifecycle.js';

// The mappings route's logic: the defaults beside the connection's custom mappings, and saving custom
// mappings checked against the org's describe (fetched fresh, then cached).

export interface MappingsInput {
  mappings: FieldMapping[];
  createRecordsInSalesforce?: boolean | undefined;
}

async function connectionOf(deps: LifecycleDeps, accountId: string, environment: Environment) {
  const connection = await findConnection(deps.db, accountId, environment);
  if (!connection) throw new ApiError(404, 'NOT_CONNECTED', `Account ${accountId} has never connected a ${environment} Salesforce org.`);
  return connection;
}

export async function getMappings(deps: LifecycleDeps, accountId: string, environment: Environment) {
  const connection = await connectionOf(deps, accountId, environment);
  const custom = await listMappings(deps.db, connection.id);
  return {
    mappings: [
      ...DEFAULT_MAPPINGS.map((mapping) => ({ ...mapping, default: true as const })),
      ...custom.map(({ salesforceType: _type, ...mapping }) => ({ ...mapping, default: false as const })),
    ],
    // FastFollow's own new records are created by the production connection only.
    createRecordsInSalesforce: environment === 'production' && connection.create_born_records,
  };
}

async function describeOrg(deps: LifecycleDeps, connectionId: string, objects: MappingObject[]): Promise<Map<MappingObject, DescribedField[]>> {
  const tokens = new TokenManager(deps.db, deps.vault, deps.config);
  try {
    return await withSalesforce(tokens, connectionId, async (conn) => {
      const described = new Map<MappingObject, DescribedField[]>();
      for (const object of objects) described.set(object, await describeFields(conn, object));
      return described;
    });
  } catch (error) {
    const explained = explainError(salesforceErrorCode(error) ?? 'SALESFORCE_UNAVAILABLE', error instanceof Error ? error.message : undefined);
    throw new ApiError(502, explained.code, `Could not read the org's field metadata to check the mappings: ${explained.message}`, explained.fix);
  }
}

const label = (m: FieldMapping, i: number) => `mappings[${i}] (${m.object}.${m.salesforceField} → ${m.fastfollowField}, ${m.direction})`;

function duplicateProblem(mappings: FieldMapping[]): string | null {
  const seen = new Map<string, number>();
  for (const [i, m] of mappings.entries()) {
    for (const key of [`sf:${m.object}.${m.salesforceField.toLowerCase()}`, `ff:${m.object}.${m.fastfollowField}`]) {
      const first = seen.get(key);
      if (first !== undefined) return `${label(m, i)} repeats the ${key.startsWith('sf') ? 'Salesforce' : 'FastFollow'} field of mappings[${first}]`;
      seen.set(key, i);
    }
  }
  return null;
}

/** Checks every custom mapping against a fresh describe (400 naming the first bad one), then saves them all. */
export async function putMappings(deps: LifecycleDeps, accountId: string, environment: Environment, input: MappingsInput) {
  const connection = await connectionOf(deps, accountId, environment);
  if (connection.status !== 'active') throw new ApiError(409, 'NOT_CONNECTED', `The ${environment} connection of account ${accountId} is ${connection.status}.`, 'Connect the org again, then save the mappings.');
  const duplicate = duplicateProblem(input.mappings);
  if (duplicate) throw new ApiError(400, 'INVALID_MAPPING', duplicate, 'Map each field once.');
  const objects = [...new Set(input.mappings.map((m) => m.object))].filter((object) => object !== 'Account');
  const described = objects.length > 0 ? await describeOrg(deps, connection.id, objects) : new Map<MappingObject, DescribedField[]>();
  for (const [object, fields] of described) await storeDescribe(deps.db, connection.id, object, fields);
  const resolved = input.mappings.map((mapping, i) => {
    const field = described.get(mapping.object)?.find((f) => f.name.toLowerCase() === mapping.salesforceField.toLowerCase());
    const problem = mappingProblem(mapping, field);
    if (problem) throw new ApiError(400, 'INVALID_MAPPING', `${label(mapping, i)}: ${problem}.`, 'Fix or remove this mapping and save again; nothing was saved.');
    // Names as the org spells them: only describe's names ever reach SOQL.
    return { ...mapping, salesforceField: field!.name, salesforceType: field!.type, salesforceCreateable: field!.createable };
  });
  await replaceMappings(deps.db, connection.id, resolved);
  if (input.createRecordsInSalesforce !== undefined) await setCreateBornRecords(deps.db, connection.id, input.createRecordsInSalesforce);
  // A backfill starts at once rather than at the next poll; saved either way (the lane also looks each poll).
  await notifyWriteBackWork(deps.temporal, accountId, environment).catch((error: unknown) => {
    deps.logger.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'could not wake the write-back lane after saving mappings');
  });
  return getMappings(deps, accountId, environment);
}

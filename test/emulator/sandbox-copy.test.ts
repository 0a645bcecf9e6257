import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlApiError } from '../../emulator/control-client.js';
import { connect, createOrgFixture, startWorld, type OrgFixture, type TestWorld } from './helpers.js';

// Full and partial copy sandboxes: a new org whose records keep production's Ids.

let world: TestWorld;
let production: OrgFixture;

beforeAll(async () => {
  world = await startWorld();
  production = await createOrgFixture(world, { edition: 'Enterprise', environment: 'production' });
  await world.control.generateRecords(production.orgId, 'Account', 20, 1);
  await world.control.generateRecords(production.orgId, 'Contact', 50, 2);
});
afterAll(() => world?.emulator.close());

const live = async (orgId: string, object: string) => (await world.control.listRecords(orgId, object)).records.filter((row) => !row.IsDeleted);

describe('createSandboxCopy', () => {
  it('a full copy has every live record with the same Ids and fields; a copied user logs in on the sandbox host', async () => {
    const removed = (await live(production.orgId, 'Contact'))[0]!.Id;
    await world.control.deleteRecords(production.orgId, 'Contact', [removed]);
    const copy = await world.control.createSandboxCopy(production.orgId, { kind: 'full', name: 'uat' });
    expect(copy).toMatchObject({ copiedFrom: production.orgId, kind: 'full', loginUrl: world.emulator.sandboxUrl });
    expect(copy.orgId).not.toBe(production.orgId);
    expect(await live(copy.orgId, 'Contact')).toEqual(await live(production.orgId, 'Contact'));
    expect((await world.control.listRecords(copy.orgId, 'Contact')).records.map((row) => row.Id)).not.toContain(removed); // no recycle bin
    expect(copy.users).toEqual([{ userId: production.userId, username: `${production.username}.uat` }]);

    const sandbox = { ...production, ...copy, username: `${production.username}.uat` };
    const { userInfo, conn } = await connect(sandbox);
    expect(userInfo.organizationId).toBe(copy.orgId);
    const edited = (await live(copy.orgId, 'Contact'))[0]!;
    await conn.sobject('Contact').update({ Id: edited.Id, Phone: 'sandbox only' });
    expect((await live(copy.orgId, 'Contact')).find((row) => row.Id === edited.Id)?.Phone).toBe('sandbox only');
    expect((await live(production.orgId, 'Contact')).find((row) => row.Id === edited.Id)?.Phone).not.toBe('sandbox only');
    // The production username does not log in on the sandbox host (nor the copy on production's).
    await expect(connect({ ...sandbox, username: production.username })).rejects.toThrow();
  });

  it('a partial copy takes a sample of each object; names are unique per production org; sandboxes are not copied again', async () => {
    const copy = await world.control.createSandboxCopy(production.orgId, { kind: 'partial', name: 'dev', recordsPerObject: 5 });
    const contacts = await live(copy.orgId, 'Contact');
    expect(contacts).toHaveLength(5);
    const productionIds = new Set((await live(production.orgId, 'Contact')).map((row) => row.Id));
    expect(contacts.every((row) => productionIds.has(row.Id))).toBe(true);

    await expect(world.control.createSandboxCopy(production.orgId, { kind: 'full', name: 'dev' })).rejects.toMatchObject({ status: 409 });
    const error = await world.control.createSandboxCopy(copy.orgId, { kind: 'full' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlApiError);
    expect((error as ControlApiError).message).toMatch(/is a sandbox/);
    await expect(world.control.createSandboxCopy(production.orgId, { kind: 'full', name: 'bad name!' })).rejects.toMatchObject({ status: 400 });
  });
});

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createControlClient, startEmulator } from '../../emulator/index.js';
import { api, connect, createOrgFixture, type TestWorld } from './helpers.js';

// A saved emulator (`npm start`): what a restart from the same file brings back.
const folder = mkdtempSync(path.join(os.tmpdir(), 'ff-emulator-state-'));
const file = path.join(folder, 'state.json');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function refresh(loginUrl: string, fx: { clientId: string; clientSecret: string }, refreshToken: string) {
  const response = await fetch(`${loginUrl}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: fx.clientId, client_secret: fx.clientSecret, refresh_token: refreshToken }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('emulator state saved to a file', () => {
  it('restores orgs, users, rows, the recycle bin, tokens with their rotation state, usage and Id counters', async () => {
    const first = await startEmulator({ port: 0, sandboxPort: 0, persistFile: file });
    expect(first.restored).toBe(false);
    const world: TestWorld = { emulator: first, control: createControlClient(first.productionUrl) };
    const fx = await createOrgFixture(world);
    const { conn } = await connect(fx);
    const kept = await conn.sobject('Contact').create({ LastName: 'Kept', Email: 'kept@example.com' });
    const binned = await conn.sobject('Contact').create({ LastName: 'Binned' });
    await conn.sobject('Contact').destroy(binned.id!);
    const rotated = conn.refreshToken!;
    const refreshed = await refresh(fx.loginUrl, fx, rotated);
    expect(refreshed.status).toBe(200);
    const usedBefore = (await world.control.usage(fx.orgId)).total;
    await first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder)).toEqual(['state.json']); // no temporary file left behind

    const second = await startEmulator({ port: 0, sandboxPort: 0, persistFile: file });
    try {
      expect(second.restored).toBe(true);
      const control = createControlClient(second.productionUrl);
      const instance = { instanceUrl: second.productionUrl };
      const row = await api(instance, refreshed.body.access_token!, `/sobjects/Contact/${kept.id}`);
      expect(row.status).toBe(200);
      expect(row.body).toMatchObject({ LastName: 'Kept', Email: 'kept@example.com' });
      const bin = await api(instance, refreshed.body.access_token!, `/queryAll?q=${encodeURIComponent(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${binned.id}'`)}`);
      expect(bin.body.records).toEqual([expect.objectContaining({ IsDeleted: true })]);

      // The current refresh token works (and rotates again); a rotated-out one stays dead (and, reused,
      // ends the grant, as in Salesforce).
      const again = await refresh(second.productionUrl, fx, refreshed.body.refresh_token!);
      expect(again.status).toBe(200);
      expect(again.body.refresh_token).not.toBe(refreshed.body.refresh_token);
      expect((await refresh(second.productionUrl, fx, rotated)).status).toBe(400);

      expect((await control.usage(fx.orgId)).total).toBeGreaterThanOrEqual(usedBefore);
      const inserted = await control.insertRecords(fx.orgId, 'Contact', [{ LastName: 'After' }]);
      expect(inserted.ids[0]).not.toBe(kept.id);
      expect(inserted.ids[0]).not.toBe(binned.id);
      // The login form still knows the user.
      await expect(connect({ ...fx, loginUrl: second.productionUrl, instanceUrl: second.productionUrl })).resolves.toBeDefined();
    } finally {
      await second.close();
    }
  });

  it('without a file, nothing is written', async () => {
    const memory = await startEmulator({ port: 0, sandboxPort: 0 });
    expect(memory.restored).toBe(false);
    await memory.close();
    expect(readdirSync(folder)).toEqual(['state.json']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createOrgFixture, startWorld, type TestWorld } from './helpers.js';

// Token endpoint faults: a login host that hangs, and an answer lost after Salesforce rotated the token.

let world: TestWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.emulator.close();
});

function refreshRequest(fx: { loginUrl: string; clientId: string; clientSecret: string }, refreshToken: string, signal?: AbortSignal) {
  return fetch(`${fx.loginUrl}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: fx.clientId, client_secret: fx.clientSecret }),
    ...(signal ? { signal } : {}),
  });
}

const refreshStates = async (orgId: string) =>
  (await world.control.tokens(orgId)).tokens.filter((t) => t.type === 'refresh').map((t) => t.state).sort();

describe('token endpoint faults', () => {
  it('tokenLatencyMs: a client that gives up before the login host answers gets nothing issued or rotated', async () => {
    const fx = await createOrgFixture(world, { rotateRefreshTokens: true });
    const { conn } = await connect(fx);
    await world.control.setFaults(fx.orgId, { tokenLatencyMs: 60_000 });
    const started = Date.now();
    await expect(refreshRequest(fx, conn.refreshToken!, AbortSignal.timeout(300))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await world.control.usage(fx.orgId)).tokenRequests).toBe(2); // the code exchange and this refresh
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await refreshStates(fx.orgId)).toEqual(['active']);

    await world.control.setFaults(fx.orgId, {});
    const answer = await refreshRequest(fx, conn.refreshToken!);
    expect(answer.status).toBe(200);
  });

  it('tokenResponseDelayMs: the rotation takes effect before the answer arrives; the old token then kills the grant', async () => {
    const fx = await createOrgFixture(world, { rotateRefreshTokens: true });
    const { conn } = await connect(fx);
    await world.control.setFaults(fx.orgId, { tokenResponseDelayMs: 60_000 });
    const controller = new AbortController();
    const lost = refreshRequest(fx, conn.refreshToken!, controller.signal).catch((error: unknown) => error);
    // The control API shows the rotation while the answer is still on its way: the moment a test kills its client.
    for (let i = 0; i < 50 && (await refreshStates(fx.orgId)).join() !== 'active,rotated'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await refreshStates(fx.orgId)).toEqual(['active', 'rotated']);
    controller.abort();
    expect(await lost).toBeInstanceOf(Error);

    await world.control.setFaults(fx.orgId, {});
    const reused = await refreshRequest(fx, conn.refreshToken!);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
    expect(await refreshStates(fx.orgId)).toEqual(['revoked', 'revoked']);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reencryptPendingRevocations, reencryptStoredSecrets } from '../../db/reencrypt-tokens.js';
import { findRevocation, queueRevocation } from '../../db/revocations.js';
import { TokenVault } from '../../platform/token-vault.js';
import { withSalesforce } from '../../salesforce/client.js';
import { TokenManager } from '../../salesforce/token-manager.js';
import { connectThroughBrowser } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

describe('master-key rotation', () => {
  it('re-encrypts stored tokens under the new key version; the connection keeps working', async () => {
    await connectThroughBrowser(system, 'acct-rotate', 'production', system.production);
    const before = await system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', 'acct-rotate').executeTakeFirstOrThrow();
    expect(before.refresh_token_key_version).toBe(1);

    const rotatedConfig = {
      ...system.config,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      TOKEN_ENCRYPTION_KEY_VERSION: 2,
      TOKEN_ENCRYPTION_PREVIOUS_KEYS: `1:${system.config.TOKEN_ENCRYPTION_KEY}`,
    };
    const rotating = TokenVault.fromConfig(rotatedConfig);
    const result = await reencryptStoredSecrets(system.database.db, rotating);
    expect(result.connections).toBeGreaterThanOrEqual(1);

    const after = await system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', 'acct-rotate').executeTakeFirstOrThrow();
    expect(after).toMatchObject({ refresh_token_key_version: 2, access_token_key_version: 2 });
    expect(after.refresh_token_ciphertext).not.toBe(before.refresh_token_ciphertext);
    // A second run finds nothing left to do.
    expect((await reencryptStoredSecrets(system.database.db, rotating)).connections).toBe(0);

    // The old key can now be retired: a vault holding only the new key still reaches Salesforce.
    const newKeyOnly = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: rotatedConfig.TOKEN_ENCRYPTION_KEY, TOKEN_ENCRYPTION_KEY_VERSION: 2 });
    const tokens = new TokenManager(system.database.db, newKeyOnly, system.config);
    const identity = await withSalesforce(tokens, after.id, (conn) => conn.identity());
    expect(identity.organization_id).toBe(system.production.orgId);
  });

  it('rolling deploy: a replica with the old key and the staged next key uses tokens a switched replica wrote', async () => {
    await connectThroughBrowser(system, 'acct-rolling', 'production', system.production);
    const row = () => system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', 'acct-rolling').executeTakeFirstOrThrow();
    const oldKey = system.config.TOKEN_ENCRYPTION_KEY;
    const nextKey = randomBytes(32).toString('base64');
    // Step 1, everywhere: the next key staged, decrypt-only. Step 2, rolling: one replica switched already.
    const staged = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: oldKey, TOKEN_ENCRYPTION_NEXT_KEY: `2:${nextKey}` });
    const switched = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: nextKey, TOKEN_ENCRYPTION_KEY_VERSION: 2, TOKEN_ENCRYPTION_PREVIOUS_KEYS: `1:${oldKey}` });

    // The switched replica writes the connection's secrets under version 2 (as its next token refresh would).
    const connectionId = (await row()).id;
    await reencryptStoredSecrets(system.database.db, switched);
    expect(await row()).toMatchObject({ refresh_token_key_version: 2, access_token_key_version: 2 });

    // A replica not yet switched still reaches Salesforce with them…
    const identity = await withSalesforce(new TokenManager(system.database.db, staged, system.config), connectionId, (conn) => conn.identity());
    expect(identity.organization_id).toBe(system.production.orgId);
    // …which it could not without the staged key (what went wrong before TOKEN_ENCRYPTION_NEXT_KEY existed).
    const unstaged = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: oldKey });
    await expect(withSalesforce(new TokenManager(system.database.db, unstaged, system.config), connectionId, (conn) => conn.identity())).rejects.toThrow(/unknown key version 2/);
    // Nothing was re-encrypted back: the staged key is never written with.
    expect(await row()).toMatchObject({ refresh_token_key_version: 2 });
  });
  it('re-encrypts the refresh tokens of grants still waiting to be revoked, so retiring the old key strands none', async () => {
    const oldVault = TokenVault.fromConfig(system.config);
    const secret = oldVault.encrypt('acct-pending', 'refresh_token', 'refresh-token-awaiting-revocation');
    const id = await queueRevocation(system.database.db, {
      accountId: 'acct-pending',
      environment: 'production',
      reason: 'disconnect',
      loginUrl: system.config.SALESFORCE_LOGIN_URL_PRODUCTION,
      refreshToken: secret,
    });
    const newKey = randomBytes(32).toString('base64');
    const rotating = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: newKey, TOKEN_ENCRYPTION_KEY_VERSION: 3, TOKEN_ENCRYPTION_PREVIOUS_KEYS: `1:${system.config.TOKEN_ENCRYPTION_KEY}` });
    // (reencryptStoredSecrets runs this step after the connections and OAuth states.)
    expect(await reencryptPendingRevocations(system.database.db, rotating)).toBe(1);
    expect(await reencryptPendingRevocations(system.database.db, rotating)).toBe(0);

    const row = (await findRevocation(system.database.db, id))!;
    expect(row.refresh_token_key_version).toBe(3);
    const newKeyOnly = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: newKey, TOKEN_ENCRYPTION_KEY_VERSION: 3 });
    expect(newKeyOnly.decrypt('acct-pending', 'refresh_token', { ciphertext: row.refresh_token_ciphertext!, keyVersion: 3 })).toBe('refresh-token-awaiting-revocation');
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reencryptStoredSecrets } from '../../db/reencrypt-tokens.js';
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
});

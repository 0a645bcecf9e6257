import type { TokenVault } from '../platform/token-vault.js';
import type { Db } from './connect.js';
import { listConnectionIds, withLockedConnection, type ConnectionRow, type TokenUpdate } from './connections.js';
import { listPendingOAuthStates, replaceVerifier } from './oauth-states.js';
import { listRevocationSecrets, replaceRevocationSecret } from './revocations.js';

/**
 * Master-key rotation, step 2: after deploying the new TOKEN_ENCRYPTION_KEY (with a higher
 * TOKEN_ENCRYPTION_KEY_VERSION and the old key in TOKEN_ENCRYPTION_PREVIOUS_KEYS), re-encrypt every
 * stored secret under the current key so the old one can be retired. Row by row, each under a lock,
 * so it can run while workers refresh tokens.
 */
export async function reencryptStoredSecrets(db: Db, vault: TokenVault): Promise<{ connections: number; oauthStates: number; revocations: number }> {
  let connections = 0;
  for (const id of await listConnectionIds(db)) {
    const changed = await withLockedConnection(db, id, async ({ row, storeTokens }) => {
      const update = row ? reencryptedTokens(vault, row) : {};
      if (Object.keys(update).length === 0) return false;
      await storeTokens(update);
      return true;
    });
    if (changed) connections++;
  }
  // Pending OAuth states live 10 minutes: re-encrypting them keeps in-flight connects working.
  let oauthStates = 0;
  for (const state of await listPendingOAuthStates(db)) {
    const secret = { ciphertext: state.verifier_ciphertext, keyVersion: state.verifier_key_version };
    if (!vault.needsReencryption(secret)) continue;
    await replaceVerifier(db, state, vault.reencrypt(state.account_id, 'pkce_verifier', secret));
    oauthStates++;
  }
  return { connections, oauthStates, revocations: await reencryptPendingRevocations(db, vault) };
}

/** Grants still waiting to be revoked keep their refresh token: retiring its key would strand them. */
export async function reencryptPendingRevocations(db: Db, vault: TokenVault): Promise<number> {
  let revocations = 0;
  for (const pending of await listRevocationSecrets(db)) {
    const secret = { ciphertext: pending.ciphertext, keyVersion: pending.keyVersion };
    if (!vault.needsReencryption(secret)) continue;
    const fresh = vault.reencrypt(pending.account_id, 'refresh_token', secret);
    if (await replaceRevocationSecret(db, pending.id, pending.keyVersion, fresh)) revocations++;
  }
  return revocations;
}

/** The row's tokens that are not under the current key, re-encrypted under it. */
function reencryptedTokens(vault: TokenVault, row: ConnectionRow): TokenUpdate {
  const update: TokenUpdate = {};
  if (row.refresh_token_ciphertext && row.refresh_token_key_version !== null) {
    const secret = { ciphertext: row.refresh_token_ciphertext, keyVersion: row.refresh_token_key_version };
    if (vault.needsReencryption(secret)) update.refresh = vault.reencrypt(row.account_id, 'refresh_token', secret);
  }
  if (row.access_token_ciphertext && row.access_token_key_version !== null) {
    const secret = { ciphertext: row.access_token_ciphertext, keyVersion: row.access_token_key_version };
    if (vault.needsReencryption(secret)) update.access = vault.reencrypt(row.account_id, 'access_token', secret);
  }
  return update;
}

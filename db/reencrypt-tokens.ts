import type { TokenVault } from '../platform/token-vault.js';
import type { Db } from './connect.js';

/**
 * Master-key rotation, step 2: after deploying the new TOKEN_ENCRYPTION_KEY (with a higher
 * TOKEN_ENCRYPTION_KEY_VERSION and the old key in TOKEN_ENCRYPTION_PREVIOUS_KEYS), re-encrypt every
 * stored secret under the current key so the old one can be retired. Row by row, each under a lock,
 * so it can run while workers refresh tokens.
 */
export async function reencryptStoredSecrets(db: Db, vault: TokenVault): Promise<{ connections: number; oauthStates: number }> {
  let connections = 0;
  const ids = await db.selectFrom('salesforce_connections').select('id').execute();
  for (const { id } of ids) {
    const changed = await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('salesforce_connections').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) return false;
      const update: Record<string, string | number> = {};
      if (row.refresh_token_ciphertext && row.refresh_token_key_version !== null) {
        const secret = { ciphertext: row.refresh_token_ciphertext, keyVersion: row.refresh_token_key_version };
        if (vault.needsReencryption(secret)) {
          const next = vault.reencrypt(row.account_id, 'refresh_token', secret);
          Object.assign(update, { refresh_token_ciphertext: next.ciphertext, refresh_token_key_version: next.keyVersion });
        }
      }
      if (row.access_token_ciphertext && row.access_token_key_version !== null) {
        const secret = { ciphertext: row.access_token_ciphertext, keyVersion: row.access_token_key_version };
        if (vault.needsReencryption(secret)) {
          const next = vault.reencrypt(row.account_id, 'access_token', secret);
          Object.assign(update, { access_token_ciphertext: next.ciphertext, access_token_key_version: next.keyVersion });
        }
      }
      if (Object.keys(update).length === 0) return false;
      await trx.updateTable('salesforce_connections').set(update).where('id', '=', id).execute();
      return true;
    });
    if (changed) connections++;
  }
  // Pending OAuth states live 10 minutes: re-encrypting them keeps in-flight connects working.
  let oauthStates = 0;
  const states = await db.selectFrom('salesforce_oauth_states').selectAll().where('used_at', 'is', null).execute();
  for (const state of states) {
    const secret = { ciphertext: state.verifier_ciphertext, keyVersion: state.verifier_key_version };
    if (!vault.needsReencryption(secret)) continue;
    const next = vault.reencrypt(state.account_id, 'pkce_verifier', secret);
    await db
      .updateTable('salesforce_oauth_states')
      .set({ verifier_ciphertext: next.ciphertext, verifier_key_version: next.keyVersion })
      .where('state_hash', '=', state.state_hash)
      .where('verifier_key_version', '=', state.verifier_key_version)
      .execute();
    oauthStates++;
  }
  return { connections, oauthStates };
}

import { loadConfig } from '../platform/config.js';
import { reencryptStoredSecrets } from '../db/reencrypt-tokens.js';
import { TokenVault } from '../platform/token-vault.js';
import { createDb } from '../db/connect.js';
import { runMain } from '../platform/run-main.js';

/** `npm run tokens:reencrypt`: after a master-key rotation, move every stored secret to the current key. */
runMain(async () => {
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL, { max: 2 });
  try {
    const result = await reencryptStoredSecrets(db, TokenVault.fromConfig(config));
    process.stdout.write(`Re-encrypted ${result.connections} connection(s), ${result.oauthStates} pending OAuth state(s) and ${result.revocations} pending revocation(s) with key version ${config.TOKEN_ENCRYPTION_KEY_VERSION}.\n`);
  } finally {
    await db.destroy();
  }
});

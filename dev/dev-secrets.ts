import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const DevSecretsSchema = z.object({
  apiToken: z.string(),
  supportToken: z.string(),
  tokenEncryptionKey: z.string(),
});
export type DevSecrets = z.infer<typeof DevSecretsSchema>;

/**
 * Local-only secrets for `npm start`, created once per data folder and kept (mode 0600) so stored
 * tokens stay decryptable across restarts. Never used when the real variables are set.
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) {
    const parsed = DevSecretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  }
  const secrets: DevSecrets = {
    apiToken: `dev-api-${randomBytes(16).toString('hex')}`,
    supportToken: `dev-support-${randomBytes(16).toString('hex')}`,
    tokenEncryptionKey: randomBytes(32).toString('base64'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

// `npm run emulator`: the Salesforce emulator alone, seeded with the demo orgs.
import { z } from 'zod';
import { createControlClient, startEmulator } from './index.js';
import { seedDemoOrgs } from './demo.js';

const port = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a port number (0-65535)` }).int(`${name} must be an integer port`).min(0, `${name} must be 0-65535`).max(65535, `${name} must be 0-65535`).default(fallback);

const envSchema = z.object({
  EMULATOR_PORT: port('EMULATOR_PORT', 4010),
  EMULATOR_SANDBOX_PORT: port('EMULATOR_SANDBOX_PORT', 4011),
  SALESFORCE_CALLBACK_URL: z.url('SALESFORCE_CALLBACK_URL must be an absolute URL').default('http://localhost:3000/api/integrations/salesforce/callback'),
  EMULATOR_LOG_REQUESTS: z.enum(['0', '1', 'true', 'false']).optional(),
});

function readEnv() {
  const raw = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    console.error(`Invalid environment: ${String(issue.path[0])}: ${issue.message} (got ${JSON.stringify(raw[String(issue.path[0])])})`);
    process.exit(1);
  }
  return parsed.data;
}

const env = readEnv();
const running = await startEmulator({
  port: env.EMULATOR_PORT,
  sandboxPort: env.EMULATOR_SANDBOX_PORT,
  logRequests: env.EMULATOR_LOG_REQUESTS === '1' || env.EMULATOR_LOG_REQUESTS === 'true',
}).catch((e: Error) => {
  console.error(`Salesforce emulator could not start: ${e.message}`);
  process.exit(1);
});
const demo = await seedDemoOrgs(createControlClient(running.productionUrl), { callbackUrl: env.SALESFORCE_CALLBACK_URL });

console.log(`Salesforce emulator listening
  production login + instance URLs  ${running.productionUrl}
  sandbox login                     ${running.sandboxUrl}
  control API                       ${running.productionUrl}/__emulator  (see emulator/README.md)
  connected app                     client_id ${demo.clientId}  client_secret ${demo.clientSecret}
  callback URL                      ${demo.callbackUrl}`);
for (const login of demo.logins) {
  console.log(`  demo ${login.environment.padEnd(10)} org ${login.orgId}  username ${login.username}  password ${login.password}  (log in at ${login.loginUrl})`);
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the Salesforce emulator`);
  await running.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

// The demo setup `npm run emulator` and `npm start` use: one connected app, a production org and
// a sandbox org, each with a user and a few hundred realistic records.
import type { ControlClient } from './control-client.js';
import type { Environment } from './store.js';

export const DEMO_CLIENT_ID = '3MVG9FastFollowDemoConsumerKey.emulator';
export const DEMO_CLIENT_SECRET = 'FASTFOLLOW-DEMO-CONSUMER-SECRET';
export const DEMO_USERNAME = 'demo@fastfollow.example';
export const DEMO_SANDBOX_USERNAME = 'demo@fastfollow.example.uat';
export const DEMO_PASSWORD = 'demo-password-1';

export interface DemoLogin {
  environment: Environment;
  orgId: string;
  loginUrl: string;
  instanceUrl: string;
  username: string;
  password: string;
}

export interface DemoInfo {
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  logins: DemoLogin[];
}

async function seedOrg(control: ControlClient, environment: Environment, username: string, seed: number): Promise<DemoLogin> {
  const org = await control.createOrg({
    name: environment === 'sandbox' ? 'FastFollow Demo (UAT sandbox)' : 'FastFollow Demo',
    edition: 'Enterprise',
    environment,
    timezone: 'America/New_York',
  });
  await control.createUser(org.orgId, { username, password: DEMO_PASSWORD, firstName: 'Demo', lastName: 'User', email: 'demo@fastfollow.example' });
  await control.generateRecords(org.orgId, 'Account', 60, seed);
  await control.generateRecords(org.orgId, 'Contact', 300, seed + 1);
  await control.generateRecords(org.orgId, 'Opportunity', 120, seed + 2);
  await control.generateRecords(org.orgId, 'OpportunityContactRole', 120, seed + 3);
  return { environment, orgId: org.orgId, loginUrl: org.loginUrl, instanceUrl: org.instanceUrl, username, password: DEMO_PASSWORD };
}

export async function seedDemoOrgs(control: ControlClient, { callbackUrl }: { callbackUrl: string }): Promise<DemoInfo> {
  await control.createConnectedApp({
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    callbackUrl,
    requirePkce: true,
    rotateRefreshTokens: true,
  });
  const production = await seedOrg(control, 'production', DEMO_USERNAME, 100);
  const sandbox = await seedOrg(control, 'sandbox', DEMO_SANDBOX_USERNAME, 200);
  return { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, callbackUrl, logins: [production, sandbox] };
}

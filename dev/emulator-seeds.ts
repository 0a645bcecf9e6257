import { randomBytes } from 'node:crypto';
import type { ControlClient } from '../emulator/index.js';
import { seedDemoOrgs } from '../emulator/demo.js';

/** A login the demo page lists for the emulator's login form. */
export interface DemoLogin {
  environment: 'production' | 'sandbox';
  username: string;
  password: string;
}

/** What seeding put into the emulator: the Connected App the system uses, and logins to show. */
export interface SeededEmulator {
  clientId: string;
  clientSecret: string;
  logins: DemoLogin[];
}

/** Fills a freshly started emulator; `callbackUrl` is the API's OAuth callback. */
export type EmulatorSeed = (control: ControlClient, callbackUrl: string) => Promise<SeededEmulator>;

/** `npm start`: the demo Connected App and a production and a sandbox org with realistic records. */
export const demoOrgsSeed: EmulatorSeed = async (control, callbackUrl) => {
  const demo = await seedDemoOrgs(control, { callbackUrl });
  return { clientId: demo.clientId, clientSecret: demo.clientSecret, logins: demo.logins };
};

/**
 * Tests and the benchmark: only a Connected App with fresh credentials (PKCE and refresh token
 * rotation, as Salesforce's defaults for new apps); the caller creates the orgs it needs.
 */
export function connectedAppSeed(name: string): EmulatorSeed {
  return async (control, callbackUrl) => {
    const app = { clientId: `3MVG9FastFollow${name}.${randomBytes(6).toString('hex')}`, clientSecret: randomBytes(24).toString('hex') };
    await control.createConnectedApp({ ...app, callbackUrl, requirePkce: true, rotateRefreshTokens: true });
    return { ...app, logins: [] };
  };
}

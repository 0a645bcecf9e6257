import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../platform/config.js';

/** A complete, valid environment for integration tests, pointing at the run's Temporal server. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    API_TOKEN: `api-${randomBytes(16).toString('hex')}`,
    SUPPORT_TOKEN: `support-${randomBytes(16).toString('hex')}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SALESFORCE_CLIENT_ID: 'test-client',
    SALESFORCE_CLIENT_SECRET: 'test-secret',
    SALESFORCE_CALLBACK_URL: 'http://localhost:3000/api/integrations/salesforce/callback',
    APP_URL: 'http://localhost:3000/app',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(testEnv(overrides));
}

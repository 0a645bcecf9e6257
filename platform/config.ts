import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { temporalConnectionSettings, temporalSettingsProblems } from './temporal-settings.js';
import { TokenVault, TokenVaultError } from './token-vault.js';

/** Thrown when the environment is invalid; its message is meant to be printed as is, one line per problem. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a TCP port number (1-65535)`)
    .transform(Number)
    .refine((value) => value >= 1 && value <= 65535, `${name} must be a TCP port number (1-65535)`);

const url = (name: string) => z.url({ message: `${name} must be an absolute URL (e.g. https://example.com)` });

const secret = (name: string, minLength: number) =>
  z.string().min(minLength, `${name} must be at least ${minLength} characters long`);

/** What an `Authorization: Bearer` header can carry (RFC 6750 b64token); any other token could never match. */
const bearerToken = (name: string) =>
  secret(name, 16).regex(/^[A-Za-z0-9\-._~+/]+=*$/, `${name} may contain only letters, digits and - . _ ~ + / (then = padding), the characters of a bearer token`);

const encryptionKey = z
  .string()
  .refine(
    (value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32,
    'TOKEN_ENCRYPTION_KEY must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
  );

const temporalAddress = z
  .string()
  .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'TEMPORAL_ADDRESS must be host:port (e.g. 127.0.0.1:7233)');

const duration = (name: string, options: { allowZero?: boolean } = {}) =>
  z.string().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < 0 || (ms === 0 && !options.allowZero)) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a duration such as 30s, 2m or 1h` });
      return z.NEVER;
    }
    return ms;
  });

const environmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// connection URL'),
  TEMPORAL_ADDRESS: temporalAddress,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('salesforce-sync'),
  ...temporalConnectionSettings,
  API_PORT: port('API_PORT').default(3000),
  /** Interface the API listens on; `npm start` with the emulator always binds 127.0.0.1. */
  API_HOST: z.string().regex(/^[A-Za-z0-9.:\-]+$/, 'API_HOST must be an IP address or host name to listen on (e.g. 0.0.0.0)').default('0.0.0.0'),
  API_TOKEN: bearerToken('API_TOKEN'),
  SUPPORT_TOKEN: bearerToken('SUPPORT_TOKEN'),
  /**
   * How many reverse proxies (load balancers) in front of the API append to X-Forwarded-For; `false`
   * (default) ignores the header. The callback's rate limit keys on the client address this yields.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(false|\d{1,2})$/, 'TRUST_PROXY must be false or the number of proxies in front of the API (e.g. 1)')
    .transform((value) => (value === 'false' ? 0 : Number(value)))
    .default(0),
  TOKEN_ENCRYPTION_KEY: encryptionKey,
  /** Version of TOKEN_ENCRYPTION_KEY; bump it when rotating the master key. */
  TOKEN_ENCRYPTION_KEY_VERSION: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'TOKEN_ENCRYPTION_KEY_VERSION must be a positive integer')
    .transform(Number)
    .default(1),
  /** Old master keys still accepted for decryption during a rotation: `1:<base64>,2:<base64>`. */
  TOKEN_ENCRYPTION_PREVIOUS_KEYS: z.string().optional(),
  /** A key staged for the next rotation, decrypt-only until it becomes TOKEN_ENCRYPTION_KEY: `3:<base64>`. */
  TOKEN_ENCRYPTION_NEXT_KEY: z.string().optional(),
  SALESFORCE_CLIENT_ID: z.string().min(1, 'SALESFORCE_CLIENT_ID must be the Connected App consumer key'),
  SALESFORCE_CLIENT_SECRET: secret('SALESFORCE_CLIENT_SECRET', 1),
  SALESFORCE_CALLBACK_URL: url('SALESFORCE_CALLBACK_URL'),
  SALESFORCE_LOGIN_URL_PRODUCTION: url('SALESFORCE_LOGIN_URL_PRODUCTION').default('https://login.salesforce.com'),
  SALESFORCE_LOGIN_URL_SANDBOX: url('SALESFORCE_LOGIN_URL_SANDBOX').default('https://test.salesforce.com'),
  /** Longest wait for any one Salesforce HTTP call (token, REST, Bulk); a token refresh's lease lasts twice this. */
  SALESFORCE_HTTP_TIMEOUT: duration('SALESFORCE_HTTP_TIMEOUT').default(60_000),
  APP_URL: url('APP_URL'),
  /** The Temporal Web UI (e.g. http://localhost:8233); the support console links each connection's workflow there. */
  TEMPORAL_UI_URL: url('TEMPORAL_UI_URL').optional(),
  SYNC_POLL_INTERVAL: duration('SYNC_POLL_INTERVAL').default(120_000),
  /** Incremental windows re-read this much before the watermark (late-committing transactions). */
  SYNC_LOOKBACK: duration('SYNC_LOOKBACK', { allowZero: true }).default(5 * 60_000),
  /** …and stop this far before now (transactions still open at Salesforce). */
  SYNC_SAFETY_LAG: duration('SYNC_SAFETY_LAG', { allowZero: true }).default(15_000),
  /** Initial reads of at least this many records use Bulk API 2.0 when it costs fewer API calls. */
  SYNC_BULK_MIN_RECORDS: z
    .string()
    .regex(/^\d+$/, 'SYNC_BULK_MIN_RECORDS must be a whole number of records')
    .transform(Number)
    .default(10_000),
  /**
   * How long one activity goes on applying pages of an initial read, fetching each next page while the
   * current one is written (0s: one page per activity, nothing fetched ahead).
   */
  SYNC_INITIAL_RUN: duration('SYNC_INITIAL_RUN', { allowZero: true }).default(4_000),
  /** A follow-up whose contact is not in Salesforce (not mirrored yet) is retried this long, then fails. */
  FOLLOWUP_CONTACT_WAIT: duration('FOLLOWUP_CONTACT_WAIT', { allowZero: true }).default(2 * 60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).superRefine((env, ctx) => {
  // Checks across variables: their issues have no path, and their messages name every variable involved.
  const problems = [...temporalSettingsProblems(env)];
  if (env.API_TOKEN === env.SUPPORT_TOKEN) problems.push('API_TOKEN and SUPPORT_TOKEN must differ, or the app could call the support routes and support staff the app\'s');
  try {
    TokenVault.fromConfig(env);
  } catch (error) {
    if (!(error instanceof TokenVaultError)) throw error;
    problems.push(error.message); // names the variable (and entry), never key material
  }
  for (const message of problems) ctx.addIssue({ code: 'custom', path: [], message });
}, { when: (payload) => payload.issues.length === 0 }); // once each variable is valid on its own

export type Config = z.infer<typeof environmentSchema>;

/** Variables whose values must never be echoed back in an error message. */
const SECRET_VARIABLES = new Set(['API_TOKEN', 'SUPPORT_TOKEN', 'TOKEN_ENCRYPTION_KEY', 'TOKEN_ENCRYPTION_PREVIOUS_KEYS', 'TOKEN_ENCRYPTION_NEXT_KEY', 'SALESFORCE_CLIENT_SECRET', 'DATABASE_URL', 'TEMPORAL_API_KEY']);

/**
 * Reads and validates the environment (docs/contracts.md#settings). Empty strings count as unset, so
 * `FOO= npm run worker` behaves like leaving FOO out.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    if (issue.path.length === 0) return `Configuration error: ${issue.message}.`; // a check across variables
    const variable = String(issue.path[0] ?? 'environment');
    if (present[variable] === undefined) return `Configuration error: ${variable} is required but not set.`;
    const shown = SECRET_VARIABLES.has(variable) ? '' : ` (got ${JSON.stringify(present[variable])})`;
    const message = issue.message.startsWith(variable) ? issue.message : `${variable}: ${issue.message}`;
    return `Configuration error: ${message}${shown}.`;
  });
  throw new ConfigError([...new Set(lines)].join('\n'));
}

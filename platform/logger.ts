import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino censors wherever they appear one or two levels deep. Tokens must never reach a
 * log line even if a caller logs a whole object by mistake (docs/contracts.md).
 */
const REDACTED_KEYS = [
  'authorization',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'code',
  'code_verifier',
  'codeVerifier',
  'client_secret',
  'clientSecret',
  'password',
];
const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const settings = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    ...(options.name ? { name: options.name } : {}),
    redact: { paths: redactPaths, censor: '[redacted]' },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

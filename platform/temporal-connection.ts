import { readFileSync } from 'node:fs';
import { ConfigError } from './config.js';
import { temporalSettingsProblems, temporalUsesTls, type TemporalConnectionSettings } from './temporal-settings.js';

/**
 * The options both Temporal connections take — the API's `Connection` (@temporalio/client) and the
 * worker's `NativeConnection` (@temporalio/worker) — built from configuration in one place, so the two
 * processes can never reach Temporal differently. Plain data: platform/ does not import Temporal.
 */
export interface TemporalConnectionOptions {
  address: string;
  /** `false`: plain TCP. An object: TLS (both SDK connections take this TLSConfig shape). */
  tls:
    | false
    | {
        serverNameOverride?: string;
        serverRootCACertificate?: Buffer;
        clientCertPair?: { crt: Buffer; key: Buffer };
      };
  /** Sent as `Authorization: Bearer <apiKey>` (Temporal Cloud). Never logged. */
  apiKey?: string;
}

/**
 * Reads the TLS files named by the settings. Throws ConfigError naming the variable (and the path; never
 * the API key) when the settings contradict each other or a file cannot be read.
 */
export function temporalConnectionOptions(settings: TemporalConnectionSettings): TemporalConnectionOptions {
  const problems = temporalSettingsProblems(settings);
  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `Configuration error: ${problem}.`).join('\n'));
  const options: TemporalConnectionOptions = { address: settings.TEMPORAL_ADDRESS, tls: false };
  if (temporalUsesTls(settings)) {
    const tls: Exclude<TemporalConnectionOptions['tls'], false> = {};
    if (settings.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = settings.TEMPORAL_TLS_SERVER_NAME;
    if (settings.TEMPORAL_TLS_CA_PATH) tls.serverRootCACertificate = readSetting('TEMPORAL_TLS_CA_PATH', settings.TEMPORAL_TLS_CA_PATH);
    if (settings.TEMPORAL_TLS_CERT_PATH && settings.TEMPORAL_TLS_KEY_PATH) {
      tls.clientCertPair = {
        crt: readSetting('TEMPORAL_TLS_CERT_PATH', settings.TEMPORAL_TLS_CERT_PATH),
        key: readSetting('TEMPORAL_TLS_KEY_PATH', settings.TEMPORAL_TLS_KEY_PATH),
      };
    }
    options.tls = tls;
  }
  if (settings.TEMPORAL_API_KEY) options.apiKey = settings.TEMPORAL_API_KEY;
  return options;
}

/** How the connection is secured, in words safe to log (no key, no certificate contents). */
export function describeTemporalSecurity(options: TemporalConnectionOptions): string {
  if (options.tls === false) return 'plain TCP';
  const parts = ['TLS'];
  if (options.tls.clientCertPair) parts.push('client certificate');
  if (options.tls.serverRootCACertificate) parts.push('custom CA');
  if (options.apiKey) parts.push('API key');
  return parts.join(', ');
}

function readSetting(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`Configuration error: ${variable}: cannot read the file ${file} (${reason}).`);
  }
}

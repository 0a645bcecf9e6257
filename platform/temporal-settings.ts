import { accessSync, constants } from 'node:fs';
import { z } from 'zod';

// How the worker and the API reach Temporal: plain TCP (the dev server, docker-compose), TLS, mTLS with a
// client certificate (self-hosted), or an API key (Temporal Cloud). docs/contracts.md#settings.

/** A file the process must be able to read at start; the error names the variable and the path. */
const readableFile = (name: string) =>
  z.string().superRefine((file, ctx) => {
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      ctx.addIssue({ code: 'custom', message: `${name}: cannot read the file ${file} (${reason})` });
    }
  });

export const temporalConnectionSettings = {
  /** Unset: TLS is on when any other TLS setting or an API key is given. */
  TEMPORAL_TLS: z
    .enum(['true', 'false'], { message: 'TEMPORAL_TLS must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
  /** mTLS: the client certificate (PEM) presented to the server, with its private key. */
  TEMPORAL_TLS_CERT_PATH: readableFile('TEMPORAL_TLS_CERT_PATH').optional(),
  TEMPORAL_TLS_KEY_PATH: readableFile('TEMPORAL_TLS_KEY_PATH').optional(),
  /** CA certificate (PEM) the server's certificate is checked against; the system's CAs when unset. */
  TEMPORAL_TLS_CA_PATH: readableFile('TEMPORAL_TLS_CA_PATH').optional(),
  /** Name checked against the server's certificate (and sent as SNI) instead of TEMPORAL_ADDRESS's host. */
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, 'TEMPORAL_TLS_SERVER_NAME must be a host name')
    .optional(),
  /** Temporal Cloud API key, sent as `Authorization: Bearer <key>`; implies TLS. */
  TEMPORAL_API_KEY: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'TEMPORAL_API_KEY must be the key as issued: printable characters, no spaces or line breaks')
    .optional(),
};

export interface TemporalConnectionSettings {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_TLS?: boolean | undefined;
  TEMPORAL_TLS_CERT_PATH?: string | undefined;
  TEMPORAL_TLS_KEY_PATH?: string | undefined;
  TEMPORAL_TLS_CA_PATH?: string | undefined;
  TEMPORAL_TLS_SERVER_NAME?: string | undefined;
  TEMPORAL_API_KEY?: string | undefined;
}

/** True when the connection uses TLS (explicitly, or implied by a TLS file, a server name or an API key). */
export function temporalUsesTls(settings: Omit<TemporalConnectionSettings, 'TEMPORAL_ADDRESS'>): boolean {
  if (settings.TEMPORAL_TLS !== undefined) return settings.TEMPORAL_TLS;
  return [
    settings.TEMPORAL_TLS_CERT_PATH,
    settings.TEMPORAL_TLS_CA_PATH,
    settings.TEMPORAL_TLS_SERVER_NAME,
    settings.TEMPORAL_API_KEY,
  ].some((value) => value !== undefined);
}

/** Settings that are each valid but contradict one another; one sentence per problem, never a value. */
export function temporalSettingsProblems(settings: Omit<TemporalConnectionSettings, 'TEMPORAL_ADDRESS'>): string[] {
  const problems: string[] = [];
  const hasCert = settings.TEMPORAL_TLS_CERT_PATH !== undefined;
  const hasKey = settings.TEMPORAL_TLS_KEY_PATH !== undefined;
  if (hasCert !== hasKey) {
    problems.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together: set both (mTLS client certificate and its key) or neither');
  }
  if (settings.TEMPORAL_TLS === false) {
    const tlsOnly = ['TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_API_KEY'] as const;
    const set = tlsOnly.filter((name) => settings[name] !== undefined);
    // An API key over plain TCP would travel in clear text.
    if (set.length > 0) problems.push(`TEMPORAL_TLS is false but ${set.join(', ')} ${set.length === 1 ? 'needs' : 'need'} TLS: remove TEMPORAL_TLS=false or ${set.length === 1 ? 'that setting' : 'those settings'}`);
  }
  return problems;
}

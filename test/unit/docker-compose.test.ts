import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The production-like stack must not be open by default: every published port on 127.0.0.1 only, and
// no password, token or key with a value written in docker-compose.yml (they come from .env).

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const composeText = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
const exampleEnv = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');

interface Service {
  ports?: Array<string | { host_ip?: string; published?: string | number; target: number }>;
  environment?: Record<string, string | number | boolean | null> | string[];
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };

/** Environment variables whose value is a credential. */
const SECRET_NAME = /(PASSWORD|PWD|_TOKEN|SECRET|API_KEY|ENCRYPTION_KEY|PREVIOUS_KEYS|NEXT_KEY)$|^DATABASE_URL$/;
/** `${NAME:?message}` / `${NAME?message}`: required, no default. */
const REQUIRED = /^\$\{([A-Z0-9_]+):?\?[^}]*\}$/;
/** `${NAME:-}` / `${NAME-}`: optional, empty unless set. */
const OPTIONAL_EMPTY = /^\$\{([A-Z0-9_]+):?-\}$/;

function environmentOf(service: Service): Array<[string, string]> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return env.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]);
  return Object.entries(env).map(([name, value]) => [name, String(value ?? '')]);
}

/** Variables `${NAME:?…}` requires, in the compose file. */
const requiredVariables = [...composeText.matchAll(/\$\{([A-Z0-9_]+):?\?/g)].map((match) => match[1]!);

describe('docker-compose.yml', () => {
  it('publishes every port on 127.0.0.1 only', () => {
    const published: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) {
        const hostIp = typeof port === 'string' ? (port.split(':').length === 3 ? port.split(':')[0] : '(all interfaces)') : (port.host_ip ?? '(all interfaces)');
        published.push(`${name} ${typeof port === 'string' ? port : JSON.stringify(port)} → ${hostIp}`);
        expect(hostIp, `${name} publishes ${JSON.stringify(port)}`).toBe('127.0.0.1');
      }
    }
    // The four things a developer reaches from the host: Temporal gRPC and UI, Postgres, the API.
    expect(published).toHaveLength(4);
  });

  it('writes no credential: each is a required ${VAR:?…} (or an optional, empty ${VAR:-})', () => {
    const checked: string[] = [];
    for (const [service, definition] of Object.entries(compose.services)) {
      for (const [name, value] of environmentOf(definition)) {
        if (!SECRET_NAME.test(name)) continue;
        checked.push(`${service}.${name}`);
        if (name === 'DATABASE_URL') {
          const password = /^postgres(?:ql)?:\/\/[^:@/]+:([^@]*)@/.exec(value)?.[1];
          expect(password, `${service}.DATABASE_URL has a password`).toBeDefined();
          expect(password, `${service}.DATABASE_URL's password`).toMatch(REQUIRED);
        } else {
          expect(REQUIRED.test(value) || OPTIONAL_EMPTY.test(value), `${service}.${name} = ${value}`).toBe(true);
        }
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['temporal-postgres.POSTGRES_PASSWORD', 'temporal.POSTGRES_PWD', 'app-postgres.POSTGRES_PASSWORD', 'api.API_TOKEN', 'worker.TOKEN_ENCRYPTION_KEY']));
  });

  it('has no default for any ${…} that carries a credential', () => {
    for (const match of composeText.matchAll(/\$\{([A-Z0-9_]+)(:?-)([^}]*)\}/g)) {
      const [whole, name, , fallback] = match;
      if (SECRET_NAME.test(name!)) expect(fallback, `${whole} has a default`).toBe('');
    }
  });

  it('.env.example lists every variable compose requires, with no value', () => {
    const listed = new Map(exampleEnv.split('\n').filter((line) => /^[A-Z0-9_]+=/.test(line)).map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)]));
    expect(new Set(requiredVariables)).toEqual(new Set(['APP_POSTGRES_PASSWORD', 'TEMPORAL_POSTGRES_PASSWORD', 'API_TOKEN', 'SUPPORT_TOKEN', 'TOKEN_ENCRYPTION_KEY', 'SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET']));
    for (const name of requiredVariables) {
      expect(listed.has(name), `${name} in .env.example`).toBe(true);
      if (SECRET_NAME.test(name)) expect(listed.get(name), `${name}'s example value`).toBe('');
    }
  });
});

const composeAvailable = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!composeAvailable)('docker compose config (the compose CLI itself)', () => {
  /** Runs `docker compose config` in a scratch copy with `.env` as given, outside the caller's environment. */
  function composeConfig(envFile: string): { status: number | null; stdout: string; stderr: string } {
    const scratch = mkdtempSync(path.join(tmpdir(), 'compose-check-'));
    try {
      writeFileSync(path.join(scratch, 'docker-compose.yml'), composeText);
      writeFileSync(path.join(scratch, '.env'), envFile);
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
      const result = spawnSync('docker', ['compose', 'config', '--format', 'json'], { cwd: scratch, env, encoding: 'utf8' });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  it('refuses the example .env as it is (every secret empty), naming a missing variable', () => {
    const result = composeConfig(exampleEnv);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/required variable [A-Z_]+ is missing a value: set [A-Z_]+ in \.env/);
  });

  it('accepts the example .env once filled in, and binds every published port to 127.0.0.1', () => {
    const filled = exampleEnv.replace(/^([A-Z0-9_]+)=$/gm, (_line, name: string) => `${name}=filled-${name.toLowerCase()}`);
    const result = composeConfig(filled);
    expect(result.stderr).toBe('');
    const resolved = JSON.parse(result.stdout) as { services: Record<string, { ports?: Array<{ host_ip?: string }>; environment?: Record<string, string> }> };
    const ports = Object.values(resolved.services).flatMap((service) => service.ports ?? []);
    expect(ports).toHaveLength(4);
    for (const port of ports) expect(port.host_ip).toBe('127.0.0.1');
    expect(resolved.services['api']?.environment?.DATABASE_URL).toBe('postgres://fastfollow:filled-app_postgres_password@app-postgres:5432/fastfollow');
  });
});

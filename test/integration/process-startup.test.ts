import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../support/config.js';
import { createTestDatabase } from '../support/database.js';

interface Exit {
  code: number | null;
  stderr: string;
}

function run(script: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('production entry points fail with one clear line', () => {
  it('worker: unreachable Temporal', async () => {
    const database = await createTestDatabase({ migrate: false });
    try {
      const env = { ...testEnv(), DATABASE_URL: database.url, TEMPORAL_ADDRESS: '127.0.0.1:1' };
      const { code, stderr } = await run('worker/main.ts', env);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([
        'Cannot reach Temporal at 127.0.0.1:1 (TEMPORAL_ADDRESS): Connection refused',
      ]);
    } finally {
      await database.drop();
    }
  });

  it('api: a port that is not a number', async () => {
    const { code, stderr } = await run('api/main.ts', { ...testEnv(), API_PORT: 'abc' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual(['Configuration error: API_PORT must be a TCP port number (1-65535) (got "abc").']);
  });

  it('worker: an unreachable database', async () => {
    const env = { ...testEnv(), DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:1/fastfollow' };
    const { code, stderr } = await run('worker/main.ts', env);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('Cannot use Postgres at 127.0.0.1:1/fastfollow (DATABASE_URL)');
    expect(stderr).not.toContain('pw@');
  });
});

describe('production entry points log JSON', () => {
  it('worker: polls, logs one JSON object per line (no pretty-printing), and stops on SIGTERM', async () => {
    const database = await createTestDatabase({ migrate: false });
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...testEnv(), DATABASE_URL: database.url, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('worker polling')) resolve();
        });
        void exited.then((code) => reject(new Error(`worker exited early (${code})`)));
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = stdout.trim().split('\n');
      const parsed = lines.map((line) => JSON.parse(line) as { msg: string; name: string });
      expect(parsed.find((line) => line.msg === 'worker polling')).toMatchObject({ name: 'worker', level: 30 });
    } finally {
      await database.drop();
    }
  });
});

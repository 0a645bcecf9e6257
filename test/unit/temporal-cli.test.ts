import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedCliPath, ensureTemporalCli, findTemporalCli, TEMPORAL_CLI_VERSION } from '../../dev/temporal-cli.js';

function fakeBinary(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\necho fake\n');
  chmodSync(file, 0o755);
  return file;
}

describe('Temporal CLI resolution', () => {
  const saved = { ...process.env };
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ff-cli-'));
    process.env.FASTFOLLOW_CACHE_DIR = path.join(root, 'cache');
    process.env.PATH = path.join(root, 'empty-bin');
    delete process.env.TEMPORAL_CLI_PATH;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('keys the cache by CLI version, outside the repository', () => {
    expect(cachedCliPath()).toBe(path.join(root, 'cache', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'));
  });

  it('prefers TEMPORAL_CLI_PATH over PATH and the cache', () => {
    const explicit = fakeBinary(path.join(root, 'explicit', 'temporal'));
    fakeBinary(path.join(root, 'bin', 'temporal'));
    fakeBinary(cachedCliPath());
    process.env.PATH = path.join(root, 'bin');
    process.env.TEMPORAL_CLI_PATH = explicit;
    expect(findTemporalCli()).toEqual({ kind: 'binary', path: explicit, source: 'TEMPORAL_CLI_PATH' });
  });

  it('refuses a TEMPORAL_CLI_PATH that is not executable, naming it', () => {
    process.env.TEMPORAL_CLI_PATH = path.join(root, 'missing');
    expect(() => findTemporalCli()).toThrow(/TEMPORAL_CLI_PATH=.*missing is not an executable/);
  });

  it('uses `temporal` on PATH before the cache', () => {
    const onPath = fakeBinary(path.join(root, 'bin', 'temporal'));
    fakeBinary(cachedCliPath());
    process.env.PATH = path.join(root, 'bin');
    expect(findTemporalCli()).toEqual({ kind: 'binary', path: onPath, source: 'PATH' });
  });

  it('falls back to the cached build', () => {
    fakeBinary(cachedCliPath());
    expect(findTemporalCli()).toEqual({ kind: 'binary', path: cachedCliPath(), source: 'cache' });
  });

  it('without any binary or Go, hands over to the SDK download, or explains every option when downloads are off', async () => {
    expect(findTemporalCli()).toBeUndefined();
    const lines: string[] = [];
    await expect(ensureTemporalCli((line) => lines.push(line))).resolves.toEqual({ kind: 'sdk-download' });
    expect(lines.join('\n')).toContain('download');
    process.env.TEMPORAL_CLI_NO_DOWNLOAD = '1';
    await expect(ensureTemporalCli(() => undefined)).rejects.toThrow(/TEMPORAL_CLI_PATH.*PATH.*go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1.*download/);
  });
});

import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { StartupError } from '../platform/run-main.js';
import { cacheDir } from './cache-dir.js';

/** The CLI release we build from source when nothing else provides one (later tags break `go install`). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export type TemporalCli =
  | { kind: 'binary'; path: string; source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install' }
  /** No binary here: let @temporalio/testing download its dev server (needs internet). */
  | { kind: 'sdk-download' };

export function cachedCliPath(): string {
  return cacheDir('temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Finds a Temporal CLI without building or downloading anything. */
export function findTemporalCli(): TemporalCli | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new StartupError(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file.`);
    }
    return { kind: 'binary', path: fromEnv, source: 'TEMPORAL_CLI_PATH' };
  }
  const onPath = findOnPath('temporal');
  if (onPath) return { kind: 'binary', path: onPath, source: 'PATH' };
  const cached = cachedCliPath();
  if (isExecutable(cached)) return { kind: 'binary', path: cached, source: 'cache' };
  return undefined;
}

/**
 * Resolves the Temporal CLI: TEMPORAL_CLI_PATH, `temporal` on PATH, the project's cache, a
 * one-time `go install` into the cache, and finally the SDK's own download.
 */
export async function ensureTemporalCli(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<TemporalCli> {
  const found = findTemporalCli();
  if (found) return found;
  const go = findOnPath('go');
  if (go) {
    const target = cachedCliPath();
    log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from source with Go, once, into ${path.dirname(target)} — this takes a few minutes…`);
    await goInstall(go, target);
    log('Temporal CLI built.');
    return { kind: 'binary', path: target, source: 'go install' };
  }
  if (process.env.TEMPORAL_CLI_NO_DOWNLOAD === '1') {
    throw new StartupError(noCliMessage());
  }
  log('No Temporal CLI found and no Go toolchain: letting the Temporal SDK download its dev server (needs internet).');
  return { kind: 'sdk-download' };
}

export function noCliMessage(): string {
  return (
    'No Temporal CLI available. Either set TEMPORAL_CLI_PATH to a `temporal` binary, put `temporal` on PATH, ' +
    `install Go so it can be built with \`go install ${GO_PACKAGE}\`, or allow the Temporal SDK to download it (internet access).`
  );
}

/** Builds into a private temporary GOBIN, then renames into place so concurrent builds never see half a binary. */
async function goInstall(go: string, target: string): Promise<void> {
  const dir = path.dirname(target);
  mkdirSync(dir, { recursive: true });
  const gobin = mkdtempSync(path.join(dir, '.build-'));
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ['install', GO_PACKAGE], {
        env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod', CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new StartupError(`\`go install ${GO_PACKAGE}\` failed with exit code ${code}. ${noCliMessage()}`)),
      );
    });
    const built = path.join(gobin, 'temporal');
    if (!existsSync(built)) throw new StartupError(`\`go install ${GO_PACKAGE}\` produced no binary. ${noCliMessage()}`);
    renameSync(built, target);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

export async function temporalCliVersion(cliPath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(cliPath, ['--version']);
  return stdout.trim();
}

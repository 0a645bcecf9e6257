import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * As root, embedded Postgres runs as the `postgres` user, which must be able to walk down to its
 * folder. When the checkout sits below a private folder (such as /root), keep the cluster in a
 * per-checkout folder under the system temp directory instead.
 */
export function postgresDataDir(preferred: string): string {
  if (process.getuid?.() !== 0) return preferred;
  for (let dir = path.dirname(path.resolve(preferred)); ; dir = path.dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) {
        const id = createHash('sha256').update(path.resolve(preferred)).digest('hex').slice(0, 12);
        return path.join(os.tmpdir(), `fastfollow-sync-${id}`, 'postgres');
      }
    } catch {
      // Not created yet: it will be, with default permissions.
    }
    if (dir === path.dirname(dir)) return preferred;
  }
}

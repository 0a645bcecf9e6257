import { StartupError } from '../platform/run-main.js';
import { createDb } from './connect.js';
import { migrateToLatest } from './migrate.js';

/** Runs migrations at process start; an unreachable database becomes one clear line. */
export async function prepareDatabase(databaseUrl: string): Promise<string[]> {
  const db = createDb(databaseUrl, { max: 1 });
  try {
    return await migrateToLatest(db);
  } catch (error) {
    // migrateToLatest wraps the driver's error; the connection failure is its cause.
    const cause = (error as Error).cause ?? error;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|28P01|3D000)$/.test(code)) {
      const { hostname, port, pathname } = new URL(databaseUrl);
      throw new StartupError(`Cannot use Postgres at ${hostname}:${port || 5432}${pathname} (DATABASE_URL): ${(cause as Error).message}`);
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

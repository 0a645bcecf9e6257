import { z } from 'zod';
import { prepareDatabase } from '../db/prepare.js';
import { ConfigError } from '../platform/config.js';
import { runMain } from '../platform/run-main.js';

/** `npm run migrate`: bring DATABASE_URL to the latest schema (the worker and API also do this at start). */
runMain(async () => {
  const url = z.string().regex(/^postgres(ql)?:\/\//).safeParse(process.env.DATABASE_URL);
  if (!url.success) throw new ConfigError('Configuration error: DATABASE_URL must be a postgres:// connection URL.');
  const applied = await prepareDatabase(url.data);
  process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database already up to date.\n');
});

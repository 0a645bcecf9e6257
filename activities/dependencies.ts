import type { Db } from '../lib/db/connect.js';
import type { Logger } from '../lib/logger.js';

/** Everything activities need from the outside world, injected so tests wire real but isolated instances. */
export interface ActivityDependencies {
  db: Db;
  logger: Logger;
}

import type { Db } from '../lib/db/connect.js';
import type { Logger } from '../lib/logger.js';
import type { TokenManager } from '../lib/salesforce/token-manager.js';

/** Everything activities need from the outside world, injected so tests wire real but isolated instances. */
export interface ActivityDependencies {
  db: Db;
  logger: Logger;
  tokens: TokenManager;
  sync: { bulkMinRecords: number };
}

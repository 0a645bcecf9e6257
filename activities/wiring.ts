import type { Config } from '../platform/config.js';
import { TokenVault } from '../platform/token-vault.js';
import type { Db } from '../db/connect.js';
import type { Logger } from '../platform/logger.js';
import { TokenManager } from '../salesforce/token-manager.js';
import type { ActivityDependencies } from './dependencies.js';

/** Builds the activities' dependencies from configuration (one TokenManager per process). */
export function activityDependencies(config: Config, db: Db, logger: Logger): ActivityDependencies {
  const vault = TokenVault.fromConfig(config);
  return {
    db,
    logger,
    tokens: new TokenManager(db, vault, config),
    vault,
    sync: {
      bulkMinRecords: config.SYNC_BULK_MIN_RECORDS,
      initialRunMs: config.SYNC_INITIAL_RUN,
      pollIntervalMs: config.SYNC_POLL_INTERVAL,
      lookbackMs: config.SYNC_LOOKBACK,
      safetyLagMs: config.SYNC_SAFETY_LAG,
    },
    followups: { contactWaitMs: config.FOLLOWUP_CONTACT_WAIT },
  };
}

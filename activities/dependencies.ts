import type { Db } from '../db/connect.js';
import type { Logger } from '../platform/logger.js';
import type { TokenVault } from '../platform/token-vault.js';
import type { TokenManager } from '../salesforce/token-manager.js';

/** Everything activities need from the outside world, injected so tests wire real but isolated instances. */
export interface ActivityDependencies {
  db: Db;
  logger: Logger;
  tokens: TokenManager;
  /** Decrypts a pending revocation's refresh token right before it is revoked. */
  vault: TokenVault;
  /** The worker's sync settings (SYNC_* variables; defaults in platform/config.ts). */
  sync: { bulkMinRecords: number; initialRunMs: number; pollIntervalMs: number; lookbackMs: number; safetyLagMs: number };
  /** Task logging (FOLLOWUP_CONTACT_WAIT); absent = the defaults in activities/tasks.ts. */
  followups?: { contactWaitMs: number };
}

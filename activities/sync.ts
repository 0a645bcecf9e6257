// The sync's activities; each step lives in activities/sync/ (plan, read REST, read Bulk, apply + advance).
export { createSyncActivities, type SyncPageInput, type SyncPageResult } from './sync/sync-page.js';
export { createSyncControlActivities } from './sync/control.js';

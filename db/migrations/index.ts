import type { Migration } from 'kysely';
import * as m0001 from './0001_fastfollow_tables.js';
import * as m0002 from './0002_salesforce_connections.js';
import * as m0003 from './0003_salesforce_sync.js';
import * as m0004 from './0004_sync_read_method.js';
import * as m0005 from './0005_mirror_per_connection.js';
import * as m0006 from './0006_mirror_connection_keys.js';
import * as m0007 from './0007_oauth_browser_binding.js';
import * as m0008 from './0008_token_refresh_lease.js';
import * as m0009 from './0009_pending_revocations.js';
import * as m0010 from './0010_bulk_job_progress.js';
import * as m0011 from './0011_delete_reconciliation.js';
import * as m0012 from './0012_followup_tasks.js';
import * as m0013 from './0013_write_back_outbox.js';
import * as m0014 from './0014_write_back_born_records.js';
import * as m0015 from './0015_write_back_mappings.js';
import * as m0019 from './0019_bulk_job_request.js';
import * as m0020 from './0020_mirror_statement_checks.js';
import * as m0021 from './0021_bulk_job_timing.js';
import * as m0022 from './0022_account_names_statement_checks.js';

/** Every migration, by name, in order. Listed statically so it works the same under tsx, bundles and tests. */
export const migrations: Record<string, Migration> = {
  '0001_fastfollow_tables': m0001,
  '0002_salesforce_connections': m0002,
  '0003_salesforce_sync': m0003,
  '0004_sync_read_method': m0004,
  '0005_mirror_per_connection': m0005,
  '0006_mirror_connection_keys': m0006,
  '0007_oauth_browser_binding': m0007,
  '0008_token_refresh_lease': m0008,
  '0009_pending_revocations': m0009,
  '0010_bulk_job_progress': m0010,
  '0011_delete_reconciliation': m0011,
  '0012_followup_tasks': m0012,
  '0013_write_back_outbox': m0013,
  '0014_write_back_born_records': m0014,
  '0015_write_back_mappings': m0015,
  '0019_bulk_job_request': m0019,
  '0020_mirror_statement_checks': m0020,
  '0021_bulk_job_timing': m0021,
  '0022_account_names_statement_checks': m0022,
};

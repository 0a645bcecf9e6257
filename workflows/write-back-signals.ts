import { defineSignal } from '@temporalio/workflow';

/**
 * Write-back work appeared outside Postgres' view of the workflow (e.g. mappings saved with a field
 * to backfill): the write-back lane looks at once instead of at the next read page or cycle. Only
 * wakes the lane (which then looks as it always does), so a workflow without the handler loses nothing.
 */
export const writeBackWorkSignal = defineSignal('writeBackWork');

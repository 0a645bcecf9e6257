import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowsPath } from './create-worker.js';

/**
 * Child process of worker/workflow-bundle.ts: bundles the workflow code (webpack) into the file named by
 * the first argument and exits, so webpack's hundred-odd MiB are returned with the process instead of
 * staying in the worker's heap.
 */
const out = process.argv[2];
if (!out) throw new Error('usage: bundle-workflows.ts <output file>');
const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
writeFileSync(out, code);

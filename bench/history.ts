import { connectionWorkflowId } from '../domain/connection-status.js';
import type { BenchSystem } from './system.js';

/** The connection workflow's history: events in the current run, and how many runs it has had (continue-as-new). */
export async function workflowHistory(system: BenchSystem, accountId: string): Promise<{ eventsInCurrentRun: number; runs: number }> {
  const workflowId = connectionWorkflowId(accountId, 'production');
  const description = await system.temporal.workflow.getHandle(workflowId).describe();
  const { count } = await system.temporal.workflow.count(`WorkflowId = "${workflowId}"`);
  return { eventsInCurrentRun: description.historyLength, runs: count };
}

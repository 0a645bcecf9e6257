import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestSystem } from './system.js';

export const HISTORIES_DIR = path.resolve(import.meta.dirname, '../fixtures/histories');
const History = temporal.api.history.v1.History;

// Binary protobuf, encoded and decoded by @temporalio/proto itself: the SDK's JSON helpers
// (historyToJSON) break when npm installs two protobufjs majors side by side, as it does here.

/** Saves every closed connection workflow's history as a replay fixture (named by its workflow id). */
export async function recordHistories(system: TestSystem): Promise<void> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  for await (const execution of system.temporal.workflow.list({ query: `WorkflowType = "connectionWorkflow"` })) {
    if (execution.status.name === 'RUNNING') continue;
    const history = await system.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const name = execution.workflowId.replace(/[^A-Za-z0-9-]+/g, '_');
    writeFileSync(path.join(HISTORIES_DIR, `${name}.binpb`), History.encode(History.fromObject(history)).finish());
  }
}

export function loadHistories(): Array<{ workflowId: string; history: temporal.api.history.v1.History }> {
  return readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.binpb'))
    .map((file) => ({ workflowId: file, history: History.decode(readFileSync(path.join(HISTORIES_DIR, file))) }));
}

/**
 * Saves one run's history as a replay fixture when RECORD_HISTORIES=1 (workflow-logic.test.ts records
 * the Update, settings and continue-as-new paths this way; tokens.test.ts the real-system ones).
 */
export async function saveHistory(name: string, history: temporal.api.history.v1.IHistory): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(path.join(HISTORIES_DIR, `${name}.binpb`), History.encode(History.fromObject(history)).finish());
}

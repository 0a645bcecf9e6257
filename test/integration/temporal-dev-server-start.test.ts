import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../dev/temporal-cli.js';
import { startTemporalDevServer, type DevServer } from '../../dev/temporal-server.js';

// The SDK gives the dev server a fixed 5 s to answer and kills it after that. A busy machine once took
// longer at the start of the test suite, which then failed as a whole: the server is started again.

const folder = mkdtempSync(path.join(os.tmpdir(), 'fastfollow-slow-temporal-'));
const realCli = await ensureTemporalCli(() => undefined);
let server: DevServer | undefined;
const previousCliPath = process.env.TEMPORAL_CLI_PATH;

afterEach(async () => {
  await server?.stop();
  server = undefined;
  if (previousCliPath === undefined) delete process.env.TEMPORAL_CLI_PATH;
  else process.env.TEMPORAL_CLI_PATH = previousCliPath;
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A CLI whose first `server` start never answers (it sleeps past the SDK's 5 s); later ones are the real CLI. */
function slowFirstStartCli(realPath: string): { path: string; starts: () => number } {
  const starts = path.join(folder, 'starts');
  const script = path.join(folder, 'temporal');
  writeFileSync(starts, '');
  writeFileSync(
    script,
    ['#!/bin/sh', `if [ "$1" = server ]; then echo start >> '${starts}'; fi`, `if [ "$1" = server ] && [ "$(wc -l < '${starts}')" -eq 1 ]; then exec sleep 30; fi`, `exec '${realPath}' "$@"`, ''].join('\n'),
  );
  chmodSync(script, 0o755);
  return { path: script, starts: () => readFileSync(starts, 'utf8').split('\n').filter(Boolean).length };
}

describe('starting the Temporal dev server', () => {
  it.skipIf(realCli.kind !== 'binary')(
    'starts it again when the first start does not answer within the SDK’s 5 s, and the second one serves',
    async () => {
      const cli = slowFirstStartCli(realCli.kind === 'binary' ? realCli.path : '');
      process.env.TEMPORAL_CLI_PATH = cli.path;
      const lines: string[] = [];
      server = await startTemporalDevServer({ log: (line) => lines.push(line) });
      expect(cli.starts()).toBe(2);
      expect(lines.some((line) => /did not answer within .*attempt 2 of 3/.test(line))).toBe(true);
      const connection = await Connection.connect({ address: server.address });
      try {
        const namespace = await connection.workflowService.describeNamespace({ namespace: server.namespace });
        expect(namespace.namespaceInfo?.name).toBe('default');
      } finally {
        await connection.close();
      }
    },
    60_000,
  );
});

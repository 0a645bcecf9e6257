import { spawn } from 'node:child_process';
import { ensureTemporalCli, noCliMessage } from '../dev/temporal-cli.js';
import { runMain, StartupError } from '../platform/run-main.js';

/**
 * `npm run temporal -- <args>`: the resolved Temporal CLI, pointed at TEMPORAL_ADDRESS (or the
 * `npm start` server on 127.0.0.1:7233), e.g. `npm run temporal -- workflow list`.
 */
runMain(async () => {
  const cli = await ensureTemporalCli();
  if (cli.kind !== 'binary') throw new StartupError(noCliMessage());
  const args = process.argv.slice(2);
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
  };
  const child = spawn(cli.path, args, { stdio: 'inherit', env });
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
  process.exit(code);
});

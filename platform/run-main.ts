import { ConfigError } from './config.js';

/** An error whose message is a complete, user-facing explanation: print it, no stack trace. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * Runs a process entry point. Known start-up failures print their one-line message and exit 1;
 * anything else is a bug and keeps its stack trace.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof StartupError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}

/**
 * Calls `stop` once on the first SIGINT/SIGTERM and exits when it finishes. Later signals are
 * ignored: Ctrl-C reaches us several times (the terminal's process group, npm/tsx relaying it, and
 * the Temporal dev server's teardown signalling its group), and must not cut the cleanup short.
 * A stop that hangs is ended after a deadline instead.
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void> | void, deadlineMs = 30_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => {
      process.stderr.write(`Still stopping after ${deadlineMs / 1000}s; exiting anyway.\n`);
      process.exit(1);
    }, deadlineMs);
    Promise.resolve(stop(signal))
      .finally(() => clearTimeout(deadline))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`Error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

import { ensureTemporalCli, temporalCliVersion } from '../dev/temporal-cli.js';
import { runMain } from '../platform/run-main.js';

/** `npm run temporal:ensure`: resolve (building once if needed) the Temporal CLI; used by .ci/run. */
runMain(async () => {
  const cli = await ensureTemporalCli();
  if (cli.kind === 'binary') {
    process.stdout.write(`Temporal CLI (${cli.source}): ${cli.path}\n${await temporalCliVersion(cli.path)}\n`);
  } else {
    process.stdout.write('No local Temporal CLI: the Temporal SDK will download its dev server on first use.\n');
  }
});

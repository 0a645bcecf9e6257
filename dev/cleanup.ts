/** Stops what was started, last first, exactly once; a failing stop does not skip the others. */
export class Cleanup {
  private readonly steps: { name: string; stop: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;
  readonly failures: string[] = [];

  add(name: string, stop: () => Promise<void>): void {
    this.steps.push({ name, stop });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, stop } of this.steps.reverse()) {
        try {
          await stop();
        } catch (error) {
          this.failures.push(`stopping ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}

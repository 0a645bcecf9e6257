import { defineConfig } from 'vitest/config';

// Three projects so a change to pure code runs in seconds, while integration tests
// share one real Temporal dev server and one real Postgres started by the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'emulator',
          include: ['emulator/**/*.test.ts', 'test/emulator/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Integration files share one Temporal server and Postgres (each file its own database,
          // account ids unique across files): two at a time, since most of their time is spent waiting
          // on timers, heartbeats and killed workers; more would thrash CI's two cores.
          fileParallelism: true,
          maxWorkers: 2,
          // Vitest runs projects with different worker counts as separate groups: unit and emulator first.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

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
          // Integration files share one Temporal server and database: run them one at a time
          // to keep CI's two cores from thrashing.
          fileParallelism: false,
        },
      },
    ],
  },
});

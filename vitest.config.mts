import { defineConfig } from 'vitest/config';

/**
 * Three projects:
 * - unit: fast, in-process (the lab runs in-process where needed); mirrors src-main/ and src-renderer/.
 * - integration: real pwsh (.tools/pwsh) and the real bridge against the lab.
 * - e2e: the built renderer in Debian Chromium through browser mode (playwright-core).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

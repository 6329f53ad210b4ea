import { configDefaults, defineConfig } from 'vitest/config';
import { contractAlias } from './vite.renderer.config.mjs';

/**
 * The vitest config StrykerJS runs (`npm run mutate`): the unit tests of ONE module at a time, named by
 * scripts/mutate.ts in SOA_MUTATE_TESTS (comma-separated globs), so a run fits in the time budget.
 */
const include = (process.env.SOA_MUTATE_TESTS ?? 'test/unit/**/*.test.ts').split(',').filter(Boolean);

export default defineConfig({
  resolve: { alias: contractAlias },
  test: {
    include,
    // Svelte component tests need the unit-dom project's setup (vitest.config.mts)
    exclude: [...configDefaults.exclude, 'test/unit/**/*.svelte.test.ts'],
    environment: 'node',
    globalSetup: ['test/lab-pki.global-setup.ts'],
    // A mutant that makes a test hang fails it after this long (set by stryker.config.mjs, 5 s by default) instead
    // of holding a Stryker worker until its timeout and a restart.
    testTimeout: Number(process.env.SOA_MUTATE_TIMEOUT_MS ?? 30_000),
    hookTimeout: Number(process.env.SOA_MUTATE_TIMEOUT_MS ?? 30_000),
    isolate: process.env.SOA_MUTATE_ISOLATE !== '0',
  },
});

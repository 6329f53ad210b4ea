// StrykerJS configuration for `npm run mutate`. scripts/mutate.ts runs it once per module of
// test/mutation/modules.json and names the module in SOA_MUTATE_MODULE (its source globs) and
// SOA_MUTATE_TESTS (its unit tests, read by vitest.mutation.config.mts). See docs/mutation-testing.md.
import { readFileSync } from 'node:fs';

const { modules } = JSON.parse(readFileSync(new URL('./test/mutation/modules.json', import.meta.url), 'utf8'));
const name = process.env.SOA_MUTATE_MODULE ?? modules[0].name;
const module = modules.find((m) => m.name === name);
if (!module) throw new Error(`unknown mutation module '${name}' (see test/mutation/modules.json)`);
// SOA_MUTATE_ONLY_TESTS (comma-separated globs) replaces the module's test list for a quick slice: only kills by
// those tests count, so the score is a lower bound (docs/mutation-testing.md).
process.env.SOA_MUTATE_TESTS = process.env.SOA_MUTATE_ONLY_TESTS || module.tests.join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.mts', related: false },
  mutate: module.mutate,
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/mutation/${name}/stryker-incremental.json`,
  htmlReporter: { fileName: `reports/mutation/${name}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
  reporters: ['html', 'json', 'progress'],
  concurrency: Number(process.env.SOA_MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  // .stryker-tmp: other modules' sandboxes (each module has its own temp folder, so two can run at once)
  ignorePatterns: [
    'out',
    'dist',
    '.tools',
    'reports',
    'test-results',
    'coverage',
    '.lab-state',
    '.claude',
    '.stryker-tmp',
  ],
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: 'always',
};

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
// "isolate": false in modules.json runs the module's tests without vitest's per-file isolation (one module registry
// per worker), which is much cheaper per mutant; only for a module whose tests pass that way. A static (import-time)
// mutant is then not re-imported per run and can survive: re-test those lines with SOA_MUTATE_ISOLATE=1 and --force
// (docs/mutation-testing.md). SOA_MUTATE_ISOLATE set by hand wins.
if (process.env.SOA_MUTATE_ISOLATE === undefined && module.isolate === false) process.env.SOA_MUTATE_ISOLATE = '0';

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

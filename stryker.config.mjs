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
// A module's mutants run without vitest's per-file isolation (one module registry per worker, several times cheaper),
// except the runs Stryker wants a fresh environment for (static mutants; scripts/stryker-vitest-runner.mjs). A module
// whose tests need isolation says "isolate": true in modules.json. SOA_MUTATE_ISOLATE (1 or 0) set by hand wins.
if (process.env.SOA_MUTATE_ISOLATE === undefined) process.env.SOA_MUTATE_ISOLATE = module.isolate === true ? '1' : '0';
// How long a test, a hook, or (on top of 1.5 times its tests' time) a mutant run may take before it counts as a hang,
// i.e. as detected: 5 s by default, six times the slowest test of any module on a quiet machine. On a loaded
// machine set SOA_MUTATE_TIMEOUT_MS=20000 so that a slowed test is not counted as a kill (docs/mutation-testing.md).
const timeoutMS = Number(process.env.SOA_MUTATE_TIMEOUT_MS ?? 5_000);
process.env.SOA_MUTATE_TIMEOUT_MS = String(timeoutMS);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest-soa',
  plugins: ['@stryker-mutator/vitest-runner', './scripts/stryker-vitest-runner.mjs'],
  vitest: { configFile: 'vitest.mutation.config.mts', related: false },
  mutate: module.mutate,
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/mutation/${name}/stryker-incremental.json`,
  htmlReporter: { fileName: `reports/mutation/${name}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
  reporters: ['html', 'json', 'progress'],
  concurrency: Number(process.env.SOA_MUTATE_CONCURRENCY ?? 2),
  timeoutMS,
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

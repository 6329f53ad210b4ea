// The test runner `npm run mutate` uses: StrykerJS's vitest runner, with isolation chosen per mutant run.
// A module whose tests pass without vitest's per-file isolation runs its mutants that way (one module registry per
// worker, several times cheaper), except when Stryker asks for a fresh environment: a static (import-time) mutant and
// the first run after one. Those runs are isolated, so every test file imports the mutated module anew; without that a
// static mutant in a module another file already loaded stays inactive and is reported as survived. The initial
// (coverage) run is isolated as well.
// docs/mutation-testing.md, "Isolation".
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { strykerPlugins as vitestPlugins } from '@stryker-mutator/vitest-runner';

const vitest = vitestPlugins.find((p) => p.kind === PluginKind.TestRunner && p.name === 'vitest');
if (!vitest || !('factory' in vitest)) throw new Error('@stryker-mutator/vitest-runner no longer declares its runner');

/** Whether a run isolates its test files: always when the module asks for it, else only for a fresh environment. */
export function isolateRun(moduleIsolates, reloadEnvironment) {
  return moduleIsolates || reloadEnvironment === true;
}

createRunner.inject = tokens(commonTokens.injector);
function createRunner(injector) {
  const runner = injector.injectFunction(vitest.factory);
  const moduleIsolates = process.env.SOA_MUTATE_ISOLATE !== '0';
  const setIsolate = (isolate) => {
    runner.ctx.config.isolate = isolate;
    for (const project of runner.ctx.projects) project.config.isolate = isolate;
  };
  const dryRun = runner.dryRun.bind(runner);
  // The initial run is always isolated: it measures each test's coverage and each mutant's hit count, from which
  // Stryker sets the hit limit that turns an endless loop into a timeout. Test files sharing one registry add up
  // one global coverage object per file, so the counts (and the limits) would grow with the number of files, and a
  // mutant that loops thousands of times too often would pass as survived.
  runner.dryRun = (options) => {
    setIsolate(true);
    return dryRun(options);
  };
  const mutantRun = runner.mutantRun.bind(runner);
  runner.mutantRun = (options) => {
    setIsolate(isolateRun(moduleIsolates, options.reloadEnvironment));
    return mutantRun(options);
  };
  return runner;
}

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'vitest-soa', createRunner)];

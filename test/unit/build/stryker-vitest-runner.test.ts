import { afterEach, describe, expect, it } from 'vitest';
import { strykerPlugins as vitestPlugins } from '@stryker-mutator/vitest-runner';
import { isolateRun, strykerPlugins } from '../../../scripts/stryker-vitest-runner.mjs';

/** A stand-in for StrykerJS's vitest runner: records whether each mutant run was isolated, in ctx and in each project. */
function fakeVitestRunner() {
  const seen: { id: string; root: boolean; projects: boolean[] }[] = [];
  const runner = {
    ctx: { config: { isolate: true }, projects: [{ config: { isolate: true } }, { config: { isolate: true } }] },
    dryRun() {
      seen.push({
        id: 'dry run',
        root: runner.ctx.config.isolate,
        projects: runner.ctx.projects.map((p) => p.config.isolate),
      });
      return Promise.resolve({ status: 'complete' });
    },
    mutantRun(options: { activeMutant: { id: string }; reloadEnvironment?: boolean }) {
      seen.push({
        id: options.activeMutant.id,
        root: runner.ctx.config.isolate,
        projects: runner.ctx.projects.map((p) => p.config.isolate),
      });
      return Promise.resolve({ status: 'survived' });
    },
  };
  return { runner, seen };
}

function createWith(isolateEnv: string | undefined) {
  if (isolateEnv === undefined) delete process.env.SOA_MUTATE_ISOLATE;
  else process.env.SOA_MUTATE_ISOLATE = isolateEnv;
  const { runner, seen } = fakeVitestRunner();
  const injected: unknown[] = [];
  const injector = {
    injectFunction(factory: unknown) {
      injected.push(factory);
      return runner;
    },
  };
  const plugin = strykerPlugins[0]!;
  const created = plugin.factory(injector as never) as {
    dryRun(options: object): Promise<unknown>;
    mutantRun(options: { activeMutant: { id: string }; reloadEnvironment?: boolean }): Promise<unknown>;
  };
  return { created, seen, injected };
}

const saved = process.env.SOA_MUTATE_ISOLATE;
afterEach(() => {
  if (saved === undefined) delete process.env.SOA_MUTATE_ISOLATE;
  else process.env.SOA_MUTATE_ISOLATE = saved;
});

describe('the mutation test runner (vitest, isolated only where a fresh environment is needed)', () => {
  it('is a test runner plugin named vitest-soa built on the vitest runner, injected with the injector', () => {
    expect(strykerPlugins).toHaveLength(1);
    expect(strykerPlugins[0]!.kind).toBe('TestRunner');
    expect(strykerPlugins[0]!.name).toBe('vitest-soa');
    expect(strykerPlugins[0]!.factory.inject).toEqual(['$injector']);
    const { injected } = createWith('0');
    const vitest = vitestPlugins.find((p) => p.name === 'vitest');
    expect(vitest && 'factory' in vitest ? vitest.factory : undefined).toBeDefined();
    expect(injected).toEqual([vitest && 'factory' in vitest ? vitest.factory : undefined]);
  });

  it('without isolation, isolates exactly the runs that ask for a fresh environment (static mutants), in ctx and every project', async () => {
    const { created, seen } = createWith('0');
    await created.mutantRun({ activeMutant: { id: '1' } });
    await created.mutantRun({ activeMutant: { id: '2' }, reloadEnvironment: false });
    await created.mutantRun({ activeMutant: { id: '3' }, reloadEnvironment: true });
    await created.mutantRun({ activeMutant: { id: '4' }, reloadEnvironment: true });
    await created.mutantRun({ activeMutant: { id: '5' } });
    expect(seen).toEqual([
      { id: '1', root: false, projects: [false, false] },
      { id: '2', root: false, projects: [false, false] },
      { id: '3', root: true, projects: [true, true] },
      { id: '4', root: true, projects: [true, true] },
      { id: '5', root: false, projects: [false, false] },
    ]);
  });

  it('isolates the initial (coverage) run even when the mutant runs share one registry, and the runs after it do not', async () => {
    // coverage counts from files sharing one registry add up, and Stryker's hit limits (which turn an endless loop
    // into a timeout) are taken from them
    const { created, seen } = createWith('0');
    await created.dryRun({});
    await created.mutantRun({ activeMutant: { id: '1' } });
    expect(seen).toEqual([
      { id: 'dry run', root: true, projects: [true, true] },
      { id: '1', root: false, projects: [false, false] },
    ]);
  });

  it('a module that isolates (SOA_MUTATE_ISOLATE=1, or not set) isolates every run', async () => {
    for (const env of ['1', undefined]) {
      const { created, seen } = createWith(env);
      await created.mutantRun({ activeMutant: { id: 'a' }, reloadEnvironment: false });
      await created.mutantRun({ activeMutant: { id: 'b' }, reloadEnvironment: true });
      expect(seen.map((s) => [s.root, ...s.projects])).toEqual([
        [true, true, true],
        [true, true, true],
      ]);
    }
  });

  it('isolateRun: the module setting or a fresh environment', () => {
    expect(isolateRun(false, undefined)).toBe(false);
    expect(isolateRun(false, false)).toBe(false);
    expect(isolateRun(false, true)).toBe(true);
    expect(isolateRun(true, false)).toBe(true);
  });
});

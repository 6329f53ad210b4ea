import type { Injector, PluginContext } from '@stryker-mutator/api/plugin';

/** Whether a mutant run isolates its test files (scripts/stryker-vitest-runner.mjs). */
export function isolateRun(moduleIsolates: boolean, reloadEnvironment: boolean | undefined): boolean;

export const strykerPlugins: readonly {
  readonly kind: string;
  readonly name: string;
  readonly factory: ((injector: Injector<PluginContext>) => unknown) & { readonly inject: readonly string[] };
}[];

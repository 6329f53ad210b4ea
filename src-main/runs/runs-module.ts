/**
 * Registers `run.save`, `run.list` and `run.close`: the single-object wizard runs, saved per tenant
 * next to the journal (`<dataDir>/runs/<tenant>/`), following the configured tenant like the journal.
 */
import type { ServiceFactory, ServiceModule } from '../service-module';
import { RunStore } from './run-store';

export const runsModule: ServiceFactory = ({ config, settings }): ServiceModule => {
  const stores = new Map<string, RunStore>();
  const storeFor = (): RunStore => {
    const tenant = settings.get().tenant;
    let s = stores.get(tenant);
    if (!s) {
      s = new RunStore(config.dataDir, tenant);
      stores.set(tenant, s);
    }
    return s;
  };
  return {
    handlers: {
      'run.save': ({ run }) => storeFor().save(run),
      'run.list': async () => ({ runs: await storeFor().listOpen() }),
      'run.close': async ({ runId, status }) => ({ closed: await storeFor().close(runId, status) }),
    },
  };
};

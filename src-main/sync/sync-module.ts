/**
 * Registers the `server.*` handlers: one lazy PowerShell session per app, Connect Sync operations on top.
 */
import type { ServiceFactory, ServiceModule } from '../service-module';
import { PowerShellSession } from '../powershell/session';
import { ConnectSync } from './connect-sync';

export const syncModule: ServiceFactory = ({ config, settings }): ServiceModule => {
  const ps = new PowerShellSession({ ...config.powershell });
  const sync = new ConnectSync(ps, {
    event6956Provider: () => settings.get().event6956Provider,
    ...(config.syncCycleTiming ? { timing: config.syncCycleTiming } : {}),
  });
  return {
    handlers: {
      'server.environment': (_input, ctx) => sync.environment(ctx.signal),
      'server.scheduler': (_input, ctx) => sync.scheduler(ctx.signal),
      'server.adConnectors': (_input, ctx) => sync.adConnectors(ctx.signal),
      'server.startSyncCycle': (input, ctx) => sync.startSyncCycle(input, ctx.signal),
      'server.runSyncCycle': (input, ctx) => sync.runSyncCycle(input, { emit: (p) => ctx.emit(p), signal: ctx.signal }),
      'server.waitForSyncCycle': (input, ctx) =>
        sync.waitForSyncCycle(input, { emit: (p) => ctx.emit(p), signal: ctx.signal }),
      'server.traceObject': (input, ctx) => sync.traceObject(input, ctx.signal),
      'server.traceObjects': (input, ctx) => sync.traceObjects(input, ctx.signal),
      'server.findOnPremContact': (input, ctx) => sync.findOnPremContact(input, ctx.signal),
      'server.findOnPremContacts': (input, ctx) => sync.findOnPremContacts(input, ctx.signal),
      'server.events6956': (input, ctx) => sync.events6956(input, ctx.signal),
      'server.touchOnPremObject': (input, ctx) => sync.touchOnPremObject(input, ctx.signal),
      'server.restoreOnPremObject': (input, ctx) => sync.restoreOnPremObject(input, ctx.signal),
    },
    dispose: () => ps.dispose(),
  };
};

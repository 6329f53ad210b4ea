/**
 * Builds every main-process service from one configuration and registers their handlers on the
 * router. Electron (`index.ts`) and browser mode (`bridge/browser-mode.ts`) both call this; only the
 * transport around the router differs.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Router } from './ipc/router';
import { nationalClouds } from './ipc/contract';
import { SettingsStore } from './settings/settings-store';
import type { ServiceConfig, ServiceFactory, ServiceModule } from './service-module';
import packageJson from '../package.json' with { type: 'json' };
import { authModule } from './auth/auth-module';
import { journalModule } from './journal/journal-module';
import { reportFilesModule } from './journal/report-files';
import { runsModule } from './runs/runs-module';
import { syncModule } from './sync/sync-module';

export interface Services {
  router: Router;
  settings: SettingsStore;
  config: ServiceConfig;
  dispose(): Promise<void>;
}

/**
 * Every area's service module, in start order. Add one import and one entry per area
 * (e.g. `authModule` from './auth/auth-module'); disposal runs in reverse order.
 */
const factories: ServiceFactory[] = [authModule, journalModule, reportFilesModule, runsModule, syncModule];

export function createServices(config: ServiceConfig): Services {
  mkdirSync(config.dataDir, { recursive: true });
  const settings = new SettingsStore(path.join(config.dataDir, 'settings.json'), config.settingsOverride);
  const router = new Router({ validateSender: config.validateSender });
  const modules: ServiceModule[] = [appModule({ config, settings }), ...factories.map((f) => f({ config, settings }))];
  for (const m of modules) router.register(m.handlers);
  return {
    router,
    settings,
    config,
    async dispose() {
      for (const m of modules.reverse()) await m.dispose?.();
    },
  };
}

function appModule({ config, settings }: { config: ServiceConfig; settings: SettingsStore }): ServiceModule {
  return {
    handlers: {
      'app.info': () => {
        const s = settings.get();
        const graphBaseUrl = config.rendererGraphBaseUrl ?? s.graphEndpoint;
        return {
          name: 'soa-pilot' as const,
          version: packageJson.version,
          transport: config.transport,
          platform: process.platform,
          graphBaseUrl,
          graphCustomHosts: customHostsFor(graphBaseUrl),
          lab: Boolean(config.lab),
          tenant: s.tenant,
          dataDir: config.dataDir,
        };
      },
      'app.ping': ({ message }) => ({ echo: message, at: new Date().toISOString() }),
      'settings.get': () => settings.get(),
      'settings.set': (patch) => settings.set(patch),
    },
  };
}

const GRAPH_HOSTS = new Set(nationalClouds.map((c) => new URL(c.graphEndpoint).hostname));

/** The Graph JS client only attaches tokens to known Graph hosts; anything else must be listed. */
export function customHostsFor(graphBaseUrl: string): string[] {
  const host = new URL(graphBaseUrl).hostname;
  return GRAPH_HOSTS.has(host) ? [] : [host];
}

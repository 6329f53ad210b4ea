/**
 * Builds every main-process service from one configuration and registers their handlers on the
 * router. Electron (`index.ts`) and browser mode (`bridge/server.ts`) both call this; only the
 * transport around the router differs.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Router, type HandlerMap, type SenderInfo } from './ipc/router';
import type { AppInfo, Settings } from './ipc/contract';
import { SettingsStore } from './settings/settings-store';
import type { LabInfo } from './lab/types';
import type { PowerShellTarget } from './powershell/session';
import packageJson from '../package.json' with { type: 'json' };
import { authModule } from './auth/auth-module';
import { journalModule } from './journal/journal-module';
import { reportFilesModule } from './journal/report-files';
import { runsModule } from './runs/runs-module';
import { syncModule } from './sync/sync-module';

export interface ServiceConfig {
  transport: AppInfo['transport'];
  /** Per-user app data folder (settings, journal, reports, token cache). */
  dataDir: string;
  /** Settings that override the stored ones for this run (the lab's tenant, client and endpoints). */
  settingsOverride?: Partial<Settings>;
  /** When the embedded lab is the target: its public info (CA path, endpoints). Configuration only. */
  lab?: LabInfo;
  /** Graph root the renderer should use if it differs from settings.graphEndpoint (browser-mode relay). */
  rendererGraphBaseUrl?: string;
  /** PowerShell executable and extra module paths (the lab's: `labPowerShellConfig` in powershell/lab-config.ts). */
  powershell?: PowerShellTarget;
  /**
   * Authority metadata handed to MSAL so it makes no metadata or instance-discovery requests
   * (the lab's, or a sovereign cloud's when configured).
   */
  auth?: { authorityMetadata?: string; cloudDiscoveryMetadata?: string };
  /** Opens a URL in the system browser (allow-listed by the caller). */
  openExternal?: (url: string) => Promise<void>;
  /**
   * How saved reports reach the admin: the desktop app opens them (`openPath` resolves to an error
   * text, empty on success) and copies them through a save dialog (`saveCopy` resolves to the chosen
   * path, null when cancelled); browser mode serves them (`url`).
   */
  reportFiles?: {
    openPath?: (file: string) => Promise<string>;
    saveCopy?: (file: string, defaultName: string) => Promise<string | null>;
    url?: (name: string, disposition: 'inline' | 'attachment') => string;
  };
  validateSender(sender: SenderInfo): boolean;
}

export interface Services {
  router: Router;
  settings: SettingsStore;
  config: ServiceConfig;
  dispose(): Promise<void>;
}

/** Each area contributes handlers and a disposer. */
export interface ServiceModule {
  handlers: HandlerMap;
  dispose?(): Promise<void> | void;
}

export type ServiceFactory = (ctx: { config: ServiceConfig; settings: SettingsStore }) => ServiceModule;

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

const GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/** The Graph JS client only attaches tokens to known Graph hosts; anything else must be listed. */
export function customHostsFor(graphBaseUrl: string): string[] {
  const host = new URL(graphBaseUrl).hostname;
  return GRAPH_HOSTS.has(host) ? [] : [host];
}

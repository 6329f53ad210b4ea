/**
 * The contract between `services.ts` and the areas it starts: the configuration every area is
 * built from, and the shape of one area's service module. Types only, so that the areas (auth,
 * journal, reports, runs, sync) and `services.ts` import this file, never each other.
 */
import type { HandlerMap, SenderInfo } from './ipc/router';
import type { AppInfo, Settings } from './ipc/contract';
import type { SettingsStore } from './settings/settings-store';
import type { LabInfo } from './lab/types';
import type { PowerShellTarget } from './powershell/session';
import type { FetchFn } from './auth/https-fetch';
import type { CycleTiming } from './sync/sync-cycle';

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
   * How a sync-cycle wait polls the server (default `defaultCycleTiming` in sync/sync-cycle.ts). Only the
   * end-to-end tests change it: their lab runs sub-second cycles, and a 2-second poll would be most of each wait.
   */
  syncCycleTiming?: Partial<CycleTiming>;
  /**
   * Authority metadata handed to MSAL so it makes no metadata or instance-discovery requests
   * (the lab's, or a sovereign cloud's when configured).
   */
  auth?: {
    authorityMetadata?: string;
    cloudDiscoveryMetadata?: string;
    /**
     * The platform's fetch for sign-in and token traffic: Electron's `net.fetch`, which follows the system
     * proxy. Without it (browser mode) main uses Node https with HTTPS_PROXY / NO_PROXY (`auth/proxy.ts`).
     */
    platformFetch?: FetchFn;
  };
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

/** Each area contributes handlers and a disposer. */
export interface ServiceModule {
  handlers: HandlerMap;
  dispose?(): Promise<void> | void;
}

export type ServiceFactory = (ctx: { config: ServiceConfig; settings: SettingsStore }) => ServiceModule;

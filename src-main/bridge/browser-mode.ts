/**
 * Browser mode: the main-process services in plain Node, served to a real browser by the bridge.
 * Used by `npm run demo` and by the end-to-end tests. With `lab`, every target (tenant, authority,
 * Graph, the PowerShell stand-ins) is configured to point at the embedded lab; nothing else changes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createServices, type Services } from '../services';
import { startBridge, type BridgeHandle } from './server';
import { reportsDir } from '../journal/reports';
import { originOf } from './content-security-policy';
import type { LabInfo } from '../lab/types';
import type { ServiceConfig } from '../service-module';
import { labAuthorityMetadata, labCloudDiscoveryMetadata } from '../lab/identity/identity';
import { appRoot } from '../paths';
import { labPowerShellConfig } from '../powershell/lab-config';
import { defaultPowerShellExe } from '../powershell/session';
import { logger } from '../log';

const log = logger('browser-mode');

export interface BrowserModeOptions {
  dataDir: string;
  /** Target the lab (its public info). Without it the stored settings (a real tenant) apply. */
  lab?: LabInfo;
  port?: number;
  token?: string;
  rendererDir?: string;
  /** PowerShell executable; default powershell.exe on Windows (as in Electron), else .tools/pwsh, then pwsh. */
  pwsh?: string;
  /** Called with sign-in URLs main wants opened (browser mode cannot open a system browser itself). */
  openExternal?: (url: string) => Promise<void>;
  /** Sync-cycle poll timing (the end-to-end tests' short lab cycles); see `ServiceConfig.syncCycleTiming`. */
  syncCycleTiming?: ServiceConfig['syncCycleTiming'];
}

export interface BrowserMode {
  bridge: BridgeHandle;
  services: Services;
  close(): Promise<void>;
}

/** The same PowerShell as the Electron app: powershell.exe (5.1) on Windows (`defaultPowerShellExe`). */
export function defaultPowerShell(): string {
  return defaultPowerShellExe();
}

export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  const { lab } = options;
  const pwsh = options.pwsh ?? defaultPowerShell();
  const rendererDir = options.rendererDir ?? path.join(appRoot, 'out', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${rendererDir}). Run \`npm run build:renderer\` first.`);
  }
  // Assigned once below, after the services it serves (report links need it, later).
  // eslint-disable-next-line prefer-const
  let bridge: BridgeHandle;
  const services = createServices({
    transport: 'browser',
    dataDir: options.dataDir,
    lab,
    settingsOverride: lab
      ? {
          tenant: lab.tenantId,
          clientId: lab.clientId,
          authorityHost: new URL(lab.authority).origin,
          graphEndpoint: lab.graphBaseUrl,
        }
      : undefined,
    // MSAL gets the lab's metadata up front: no discovery request leaves the machine.
    auth: lab
      ? { authorityMetadata: labAuthorityMetadata(lab), cloudDiscoveryMetadata: labCloudDiscoveryMetadata(lab) }
      : undefined,
    powershell: lab ? labPowerShellConfig(lab, pwsh) : { exe: pwsh },
    ...(options.syncCycleTiming ? { syncCycleTiming: options.syncCycleTiming } : {}),
    openExternal:
      options.openExternal ??
      (async (url) => {
        log.info('sign-in page requested; the app shows the link', { host: new URL(url).host });
      }),
    // Single-use report tickets come from the bridge, which starts just below (report.open runs later).
    reportFiles: { url: (file, disposition) => bridge.reportUrl(file, disposition) },
    validateSender: (sender) => sender.kind === 'bridge',
  });
  const { graphEndpoint, authorityHost } = services.settings.get();
  bridge = await startBridge({
    router: services.router,
    rendererDir,
    port: options.port,
    token: options.token,
    // The renderer calls Graph itself (the product's shape); the sign-in pages live on the authority.
    connectOrigins: [originOf(graphEndpoint), originOf(authorityHost)],
    reportsDir: reportsDir(options.dataDir),
  });
  return {
    bridge,
    services,
    async close() {
      await bridge.close();
      await services.dispose();
    },
  };
}

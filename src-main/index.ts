/**
 * Electron entry: one hardened window, the typed IPC transport, and the shared services.
 * Browser mode (`bridge/`) runs the same services without Electron.
 *
 * The packaged app loads its UI from the privileged custom scheme `app://soa-pilot/`, served from
 * `out/renderer` by `renderer-assets.ts` (never from file://; see docs/security.md).
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  net,
  protocol,
  session,
  shell,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { CHANNEL_PREFIX, EVENT_CHANNEL, operationNames, type ProgressEvent } from './ipc/contract';
import { createServices, type Services } from './services';
import { contentSecurityPolicy, originOf } from './bridge/content-security-policy';
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME, rendererRequestHandler } from './renderer-assets';
import {
  devServerUrlFor,
  electronSenderValidator,
  isAllowedExternalUrl,
  isTrustedRendererUrl,
  secureWebPreferences,
  trustedRendererOrigins,
} from './window-security';
import { externalUrlOrigins } from './settings/cloud-endpoints';
import { logger } from './log';

const log = logger('main');

export interface ShellOptions {
  /** Folder of the built renderer (`out/renderer`), served on `app://soa-pilot/`. */
  rendererDir: string;
  preloadFile: string;
  /** Development only (see `devServerUrlFor`): load the UI from the electron-vite dev server. */
  devServerUrl?: string;
  dataDir: string;
}

/**
 * The scheme's privileges. `standard` gives it a real origin (relative URLs, module scripts),
 * `secure` makes it a secure context, `supportFetchAPI` lets the page fetch its own assets.
 * No `bypassCSP`: the policy applies exactly as on https.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

/** Wires the transport and the hardening; exported for the unit test with a faked electron module. */
export function createShell(opts: ShellOptions): { services: Services; window: BrowserWindow } {
  const trusted = trustedRendererOrigins(opts.devServerUrl);
  const validateSender = electronSenderValidator(trusted);
  // Called only after `services` exists (sign-in runs long after start-up).
  // The extra origin comes only from the validated settings (a national cloud, or a custom cloud the
  // admin turned on; see src-main/settings/cloud-endpoints.ts).
  const openExternal = async (url: string) => {
    if (!isAllowedExternalUrl(url, externalUrlOrigins(services.settings.get()))) {
      log.warn('blocked openExternal for a URL outside the allow-list');
      throw new Error('That address is not on the allow-list of sign-in and consent pages.');
    }
    await shell.openExternal(url);
  };
  const services: Services = createServices({
    transport: 'electron',
    dataDir: opts.dataDir,
    validateSender,
    openExternal,
    // Sign-in and token traffic through Chromium's network stack: the system proxy (and PAC) and the Windows
    // certificate store, as the renderer's Graph calls already do (docs/reference/connect-sync-and-powershell.md#execution-policy-and-proxy).
    auth: { platformFetch: (input, init) => net.fetch(input instanceof URL ? input.toString() : input, init) },
    reportFiles: {
      // Only files under <dataDir>/reports/ reach here (report-files.ts checks the name and folder).
      openPath: (file) => shell.openPath(file),
      saveCopy: async (file, defaultName) => {
        const chosen = await dialog.showSaveDialog({ defaultPath: defaultName });
        if (chosen.canceled || !chosen.filePath) return null;
        await copyFile(file, chosen.filePath);
        return chosen.filePath;
      },
    },
  });

  const connectOrigins = [originOf(services.settings.get().graphEndpoint)];
  const csp = contentSecurityPolicy(connectOrigins);
  protocol.handle(
    APP_SCHEME,
    rendererRequestHandler({
      rendererDir: opts.rendererDir,
      csp,
      metaCsp: contentSecurityPolicy(connectOrigins, { delivery: 'meta' }),
      origin: APP_ORIGIN,
    }),
  );

  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'soa-pilot',
    show: false,
    webPreferences: secureWebPreferences(opts.preloadFile),
  });
  hardenContents(win.webContents, trusted);

  // The scheme handler sends the policy itself; this adds it to every other response as well.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [csp],
      },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const emit = (event: ProgressEvent) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
  };
  for (const name of operationNames) {
    ipcMain.handle(CHANNEL_PREFIX + name, (event: IpcMainInvokeEvent, input: unknown) =>
      services.router.dispatch(
        name,
        input,
        { kind: 'electron', url: event.senderFrame?.url ?? '', frameId: event.frameId },
        emit,
      ),
    );
  }

  void win.loadURL(opts.devServerUrl ?? APP_INDEX_URL);
  win.once('ready-to-show', () => win.show());
  return { services, window: win };
}

/** No navigation outside the renderer's own origin, no new windows, no webviews, no redirects. */
export function hardenContents(contents: WebContents, trustedOrigins: readonly string[]): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedRendererUrl(url, trustedOrigins)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
}

/**
 * Process start-up. The scheme must be registered as privileged before `ready` (Electron refuses it
 * later); the handler, the window and everything else come after `ready`.
 */
export function startElectronApp(env: Record<string, string | undefined> = process.env): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
  app.enableSandbox();
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  void app.whenReady().then(() => {
    const { services } = createShell({
      rendererDir: path.join(__dirname, '../renderer'),
      preloadFile: path.join(__dirname, '../preload/index.js'),
      devServerUrl: devServerUrlFor(app.isPackaged, env),
      dataDir: app.getPath('userData'),
    });
    app.on('window-all-closed', () => {
      void services.dispose().finally(() => app.quit());
    });
  });
}

/* c8 ignore next — runs only inside the Electron binary */
if (process.versions.electron && app) startElectronApp();

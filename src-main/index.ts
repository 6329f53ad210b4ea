/**
 * Electron entry: one hardened window, the typed IPC transport, and the shared services.
 * Browser mode (`bridge/`) runs the same services without Electron.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  session,
  shell,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHANNEL_PREFIX, EVENT_CHANNEL, operationNames, type ProgressEvent } from './ipc/contract';
import { createServices, type Services } from './services';
import { contentSecurityPolicy, originOf } from './bridge/content-security-policy';
import { electronSenderValidator, isAllowedExternalUrl, secureWebPreferences } from './window-security';
import { logger } from './log';

const log = logger('main');

export interface ShellOptions {
  rendererIndexFile: string;
  preloadFile: string;
  devServerUrl?: string;
  dataDir: string;
}

/** Wires the transport and the hardening; exported for the unit test with a faked electron module. */
export function createShell(opts: ShellOptions): { services: Services; window: BrowserWindow } {
  const indexUrl = pathToFileURL(opts.rendererIndexFile).href;
  const validateSender = electronSenderValidator(opts.devServerUrl, indexUrl);
  // Called only after `services` exists (sign-in runs long after start-up).
  const openExternal = async (url: string) => {
    const authority = services.settings.get().authorityHost;
    if (!isAllowedExternalUrl(url, [originOf(authority)])) {
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

  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'soa-pilot',
    show: false,
    webPreferences: secureWebPreferences(opts.preloadFile),
  });
  hardenContents(win.webContents, opts.devServerUrl, indexUrl);

  const graphOrigin = originOf(services.settings.get().graphEndpoint);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy([graphOrigin])],
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

  if (opts.devServerUrl) void win.loadURL(opts.devServerUrl);
  else void win.loadFile(opts.rendererIndexFile);
  win.once('ready-to-show', () => win.show());
  return { services, window: win };
}

/** No navigation, no new windows, no webviews. */
export function hardenContents(contents: WebContents, devServerUrl: string | undefined, indexUrl: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    const target = new URL(url);
    const allowed = devServerUrl ? target.origin === new URL(devServerUrl).origin : target.href === indexUrl;
    if (!allowed) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
}

/* c8 ignore start — process wiring, exercised only inside the Electron binary */
if (process.versions.electron && app) {
  app.enableSandbox();
  void app.whenReady().then(() => {
    const { services } = createShell({
      rendererIndexFile: path.join(__dirname, '../renderer/index.html'),
      preloadFile: path.join(__dirname, '../preload/index.js'),
      devServerUrl: process.env.ELECTRON_RENDERER_URL,
      dataDir: app.getPath('userData'),
    });
    app.on('window-all-closed', () => {
      void services.dispose().finally(() => app.quit());
    });
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
/* c8 ignore stop */

/**
 * The Electron shell, tested with a faked `electron` module (the Electron Fiddle pattern): the
 * binary cannot be downloaded here, and the wiring is what we want to pin down anyway.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    handlers: new Map<string, Listener>(),
    windows: [] as FakeWindow[],
    sent: [] as { channel: string; payload: unknown }[],
    headersHook: undefined as Listener | undefined,
    permissionHandler: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    opened: [] as string[],
    /** Every Electron call the start-up makes, in order. */
    calls: [] as string[],
    protocolHandlers: new Map<string, Listener>(),
    privileged: [] as unknown[],
    ready: undefined as (() => void) | undefined,
    appListeners: new Map<string, Listener>(),
    isPackaged: false,
  };
  class FakeContents {
    listeners = new Map<string, Listener>();
    windowOpenHandler: Listener | undefined;
    setWindowOpenHandler(h: Listener) {
      this.windowOpenHandler = h;
    }
    on(event: string, l: Listener) {
      this.listeners.set(event, l);
      return this;
    }
    send(channel: string, payload: unknown) {
      state.sent.push({ channel, payload });
    }
  }
  class FakeWindow {
    webContents = new FakeContents();
    loaded: string | undefined;
    constructor(public options: { webPreferences: Record<string, unknown> }) {
      state.windows.push(this);
    }
    loadFile(f: string) {
      this.loaded = f;
      return Promise.resolve();
    }
    loadURL(u: string) {
      state.calls.push(`loadURL ${u}`);
      this.loaded = u;
      return Promise.resolve();
    }
    once() {}
    isDestroyed() {
      return false;
    }
  }
  return { state, FakeWindow };
});

vi.mock('electron', () => ({
  app: {
    get isPackaged() {
      return fake.state.isPackaged;
    },
    enableSandbox: () => fake.state.calls.push('enableSandbox'),
    whenReady: () =>
      new Promise<void>((resolve) => {
        fake.state.calls.push('whenReady');
        fake.state.ready = () => {
          fake.state.calls.push('ready');
          resolve();
        };
      }),
    on: (event: string, l: Listener) => fake.state.appListeners.set(event, l),
    getPath: () => mkdtempSync(path.join(os.tmpdir(), 'soa-shell-userdata-')),
    quit: () => undefined,
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      fake.state.calls.push('registerSchemesAsPrivileged');
      fake.state.privileged.push(...schemes);
    },
    handle: (scheme: string, l: Listener) => {
      fake.state.calls.push(`protocol.handle ${scheme}`);
      fake.state.protocolHandlers.set(scheme, l);
    },
  },
  BrowserWindow: fake.FakeWindow,
  ipcMain: { handle: (channel: string, l: Listener) => fake.state.handlers.set(channel, l) },
  // sign-in traffic goes through net.fetch (the system proxy); no test here signs in
  net: { fetch: () => Promise.reject(new Error('no network in this test')) },
  shell: { openExternal: (url: string) => (fake.state.opened.push(url), Promise.resolve()) },
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived: (l: Listener) => (fake.state.headersHook = l) },
      setPermissionRequestHandler: (l: Listener) => (fake.state.permissionHandler = l),
      setPermissionCheckHandler: (l: Listener) => (fake.state.permissionCheck = l),
    },
  },
}));

const { createShell, startElectronApp } = await import('../../../src-main/index');
const { operationNames } = await import('../../../src-main/ipc/contract');

const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'soa-shell-renderer-'));
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
const rendererIndexFile = path.join(rendererDir, 'index.html');
const APP_INDEX = 'app://soa-pilot/index.html';

function shell(devServerUrl?: string) {
  fake.state.handlers.clear();
  fake.state.windows.length = 0;
  return createShell({
    rendererDir,
    preloadFile: '/opt/soa-pilot/out/preload/index.js',
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'soa-shell-')),
    devServerUrl,
  });
}

describe('Electron shell', () => {
  beforeEach(() => {
    fake.state.sent.length = 0;
  });

  it('creates the window isolated and sandboxed, without Node', () => {
    shell();
    const prefs = fake.state.windows[0]!.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    const attach = vi.fn();
    fake.state.windows[0]!.webContents.listeners.get('will-attach-webview')?.({ preventDefault: attach });
    expect(attach).toHaveBeenCalled();
    expect(fake.state.windows[0]!.loaded).toBe(APP_INDEX);
  });

  it('denies new windows and blocks navigation away from the app', () => {
    shell();
    const contents = fake.state.windows[0]!.webContents;
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    const prevented = vi.fn();
    contents.listeners.get('will-navigate')?.({ preventDefault: prevented }, 'https://evil.example/phish');
    expect(prevented).toHaveBeenCalled();
    const allowed = vi.fn();
    contents.listeners.get('will-navigate')?.({ preventDefault: allowed }, APP_INDEX + '#/journal');
    expect(allowed).not.toHaveBeenCalled();
    for (const url of ['file://' + rendererIndexFile, 'app://other/index.html', 'http://localhost:5173/']) {
      const blocked = vi.fn();
      contents.listeners.get('will-navigate')?.({ preventDefault: blocked }, url);
      expect(blocked, url).toHaveBeenCalled();
    }
  });

  it('denies every permission request', () => {
    shell();
    const callback = vi.fn();
    fake.state.permissionHandler?.({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(fake.state.permissionCheck?.()).toBe(false);
  });

  it('adds a strict CSP to every response', () => {
    shell();
    const callback = vi.fn();
    fake.state.headersHook?.({ responseHeaders: {} }, callback);
    const csp = (callback.mock.calls[0]![0] as { responseHeaders: Record<string, string[]> }).responseHeaders[
      'Content-Security-Policy'
    ]![0]!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/graph\.microsoft\.com(;|$)/);
  });

  it('registers one channel per contract operation and validates the sender of every call', async () => {
    shell();
    expect([...fake.state.handlers.keys()].sort()).toEqual(operationNames.map((n) => 'soa:' + n).sort());
    const ping = fake.state.handlers.get('soa:app.ping')!;
    const ours = await ping({ senderFrame: { url: APP_INDEX }, frameId: 1 }, { message: 'hi' });
    expect(ours).toMatchObject({ ok: true, value: { echo: 'hi' } });
    const fileUrl = await ping({ senderFrame: { url: 'file://' + rendererIndexFile }, frameId: 1 }, { message: 'hi' });
    expect(fileUrl).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
    const devServer = await ping({ senderFrame: { url: 'http://localhost:5173/' }, frameId: 1 }, { message: 'hi' });
    expect(devServer).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
    const foreign = await ping({ senderFrame: { url: 'https://evil.example/' }, frameId: 2 }, { message: 'hi' });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
    const otherFile = await ping({ senderFrame: { url: 'file:///tmp/other.html' }, frameId: 3 }, { message: 'hi' });
    expect(otherFile).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
  });

  it('serves the renderer on app://soa-pilot/ through protocol.handle, with the CSP header', async () => {
    shell();
    const handler = fake.state.protocolHandlers.get('app')!;
    expect(handler).toBeTypeOf('function');
    const res = (await handler(new Request(APP_INDEX))) as Response;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/connect-src 'self' https:\/\/graph\.microsoft\.com;/);
    expect(((await handler(new Request('app://soa-pilot/../../etc/passwd'))) as Response).status).toBe(404);
  });
});

describe('Electron start-up', () => {
  beforeEach(() => {
    fake.state.calls.length = 0;
    fake.state.privileged.length = 0;
    fake.state.protocolHandlers.clear();
    fake.state.windows.length = 0;
  });

  it('registers app:// as privileged (standard, secure, fetch; no bypassCSP) before ready, then handles it and loads the window from it', async () => {
    fake.state.isPackaged = true;
    startElectronApp({});
    expect(fake.state.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(JSON.stringify(fake.state.privileged)).not.toContain('bypassCSP');
    // Before ready: only the registration and the sandbox; no handler, no window yet.
    expect(fake.state.calls).toEqual(['registerSchemesAsPrivileged', 'enableSandbox', 'whenReady']);
    fake.state.ready!();
    await vi.waitFor(() => expect(fake.state.windows).toHaveLength(1));
    expect(fake.state.calls).toEqual([
      'registerSchemesAsPrivileged',
      'enableSandbox',
      'whenReady',
      'ready',
      'protocol.handle app',
      `loadURL ${APP_INDEX}`,
    ]);
  });

  it('ignores ELECTRON_RENDERER_URL in the packaged app: the window loads app:// and a dev-server sender is refused', async () => {
    fake.state.isPackaged = true;
    fake.state.handlers.clear();
    startElectronApp({ ELECTRON_RENDERER_URL: 'http://localhost:5173/' });
    fake.state.ready!();
    await vi.waitFor(() => expect(fake.state.windows).toHaveLength(1));
    expect(fake.state.windows[0]!.loaded).toBe(APP_INDEX);
    const ping = fake.state.handlers.get('soa:app.ping')!;
    const dev = await ping({ senderFrame: { url: 'http://localhost:5173/' }, frameId: 1 }, { message: 'hi' });
    expect(dev).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
    const prevented = vi.fn();
    fake.state.windows[0]!.webContents.listeners.get('will-navigate')?.(
      { preventDefault: prevented },
      'http://localhost:5173/',
    );
    expect(prevented).toHaveBeenCalled();
  });

  it('honours ELECTRON_RENDERER_URL only when not packaged', async () => {
    fake.state.isPackaged = false;
    fake.state.handlers.clear();
    startElectronApp({ ELECTRON_RENDERER_URL: 'http://localhost:5173/' });
    fake.state.ready!();
    await vi.waitFor(() => expect(fake.state.windows).toHaveLength(1));
    expect(fake.state.windows[0]!.loaded).toBe('http://localhost:5173/');
    const ping = fake.state.handlers.get('soa:app.ping')!;
    const dev = await ping({ senderFrame: { url: 'http://localhost:5173/' }, frameId: 1 }, { message: 'hi' });
    expect(dev).toMatchObject({ ok: true });
  });

  it('opens only allow-listed pages, and the allow-list cannot be widened through settings.set', async () => {
    const { services } = shell();
    const openExternal = services.config.openExternal!;
    fake.state.opened.length = 0;
    const set = fake.state.handlers.get('soa:settings.set')!;
    const refused = await set(
      { senderFrame: { url: 'app://soa-pilot/index.html' }, frameId: 1 },
      { authorityHost: 'https://phish.example' },
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'validation' } });
    await expect(openExternal('https://phish.example/common/oauth2/v2.0/authorize')).rejects.toThrow(/allow-list/);
    await openExternal('https://login.microsoftonline.com/common/oauth2/v2.0/authorize');
    expect(fake.state.opened).toEqual(['https://login.microsoftonline.com/common/oauth2/v2.0/authorize']);
    await services.dispose();
  });
});

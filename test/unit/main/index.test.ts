/**
 * The Electron shell, tested with a faked `electron` module (the Electron Fiddle pattern): the
 * binary cannot be downloaded here, and the wiring is what we want to pin down anyway.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
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
  app: undefined,
  BrowserWindow: fake.FakeWindow,
  ipcMain: { handle: (channel: string, l: Listener) => fake.state.handlers.set(channel, l) },
  shell: { openExternal: (url: string) => (fake.state.opened.push(url), Promise.resolve()) },
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived: (l: Listener) => (fake.state.headersHook = l) },
      setPermissionRequestHandler: (l: Listener) => (fake.state.permissionHandler = l),
      setPermissionCheckHandler: (l: Listener) => (fake.state.permissionCheck = l),
    },
  },
}));

const { createShell } = await import('../../../src-main/index');
const { operationNames } = await import('../../../src-main/ipc/contract');

const rendererIndexFile = path.resolve('/opt/soa-pilot/out/renderer/index.html');

function shell() {
  fake.state.handlers.clear();
  fake.state.windows.length = 0;
  return createShell({
    rendererIndexFile,
    preloadFile: '/opt/soa-pilot/out/preload/index.js',
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'soa-shell-')),
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
      webSecurity: true,
      webviewTag: false,
    });
    expect(fake.state.windows[0]!.loaded).toBe(rendererIndexFile);
  });

  it('denies new windows and blocks navigation away from the app', () => {
    shell();
    const contents = fake.state.windows[0]!.webContents;
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    const prevented = vi.fn();
    contents.listeners.get('will-navigate')?.({ preventDefault: prevented }, 'https://evil.example/phish');
    expect(prevented).toHaveBeenCalled();
    const allowed = vi.fn();
    contents.listeners.get('will-navigate')?.({ preventDefault: allowed }, 'file://' + rendererIndexFile);
    expect(allowed).not.toHaveBeenCalled();
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
    const ours = await ping({ senderFrame: { url: 'file://' + rendererIndexFile }, frameId: 1 }, { message: 'hi' });
    expect(ours).toMatchObject({ ok: true, value: { echo: 'hi' } });
    const foreign = await ping({ senderFrame: { url: 'https://evil.example/' }, frameId: 2 }, { message: 'hi' });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
    const otherFile = await ping({ senderFrame: { url: 'file:///tmp/other.html' }, frameId: 3 }, { message: 'hi' });
    expect(otherFile).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
  });
});

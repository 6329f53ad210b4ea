/**
 * Electron hardening, kept free of window creation so it can be unit-tested with a faked `electron`
 * module (the Fiddle pattern). Every rule here is one item of Electron's security checklist.
 */
import type { SenderInfo } from './ipc/router';
import { APP_ORIGIN, schemeAndHost } from './renderer-assets';

/** URLs the app may open in the system browser: Microsoft sign-in and admin-consent, plus the configured authority. */
export function isAllowedExternalUrl(raw: string, extraAuthorityOrigins: string[] = []): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  const microsoft = [
    'login.microsoftonline.com',
    'login.microsoftonline.us',
    'login.chinacloudapi.cn',
    'login.partner.microsoftonline.cn',
    'learn.microsoft.com',
    'entra.microsoft.com',
    'portal.azure.com',
  ];
  if (microsoft.includes(url.hostname)) return true;
  return extraAuthorityOrigins.includes(url.origin);
}

/**
 * The dev server URL (`ELECTRON_RENDERER_URL`, set by `electron-vite dev`), honoured only when the app
 * is not packaged, and only for an http(s) loopback address. A packaged app ignores it: its UI comes
 * from the `app://soa-pilot/` scheme and nowhere else.
 */
export function devServerUrlFor(isPackaged: boolean, env: Record<string, string | undefined>): string | undefined {
  const raw = env.ELECTRON_RENDERER_URL;
  if (isPackaged || !raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return (url.protocol === 'http:' || url.protocol === 'https:') && loopback ? url.href : undefined;
}

/**
 * The origins (scheme://host[:port]) the renderer may be loaded from: the app scheme, plus the dev
 * server in development. The sender validator and the navigation guard both read this one list.
 */
export function trustedRendererOrigins(devServerUrl: string | undefined): string[] {
  return devServerUrl ? [APP_ORIGIN, schemeAndHost(new URL(devServerUrl))] : [APP_ORIGIN];
}

/** True when `raw` is a page of one of `trustedOrigins` (compared by scheme and host, never by prefix). */
export function isTrustedRendererUrl(raw: string, trustedOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return trustedOrigins.includes(schemeAndHost(url));
}

export function electronSenderValidator(trustedOrigins: readonly string[]) {
  return (sender: SenderInfo): boolean =>
    sender.kind === 'electron' && isTrustedRendererUrl(sender.url, trustedOrigins);
}

/** webPreferences used for the one window; asserted by tests. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

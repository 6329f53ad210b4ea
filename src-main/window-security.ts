/**
 * Electron hardening, kept free of window creation so it can be unit-tested with a faked `electron`
 * module (the Fiddle pattern). Every rule here is one item of Electron's security checklist.
 */
import type { SenderInfo } from './ipc/router';

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

/** The renderer's own origin: the packaged file or the dev server. */
export function isTrustedRendererUrl(
  raw: string,
  devServerUrl: string | undefined,
  rendererIndexFileUrl: string,
): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (devServerUrl) {
    const dev = new URL(devServerUrl);
    if (url.origin === dev.origin) return true;
  }
  if (url.protocol === 'file:') {
    return url.pathname === new URL(rendererIndexFileUrl).pathname;
  }
  return false;
}

export function electronSenderValidator(devServerUrl: string | undefined, rendererIndexFileUrl: string) {
  return (sender: SenderInfo): boolean =>
    sender.kind === 'electron' && isTrustedRendererUrl(sender.url, devServerUrl, rendererIndexFileUrl);
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

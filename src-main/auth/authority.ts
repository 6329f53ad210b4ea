/**
 * Authority and consent-URL construction from the settings. Production code never branches on
 * "lab": a non-Microsoft authority host simply becomes a known authority, so MSAL skips instance
 * discovery against login.microsoftonline.com and talks only to that host.
 */
import type { Settings } from '../ipc/contract';

/** Microsoft Entra authority hosts (public and national clouds) MSAL can discover on its own. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

export function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

export function authorityFor(settings: Pick<Settings, 'authorityHost' | 'tenant'>): string {
  return `${trimSlash(settings.authorityHost)}/${encodeURIComponent(settings.tenant)}`;
}

/** `host[:port]` of the authority when it is not a Microsoft cloud (for `knownAuthorities`), else undefined. */
export function knownAuthorityFor(authorityHost: string): string | undefined {
  const u = new URL(authorityHost);
  if (u.protocol !== 'https:') throw new Error('Authority URIs must use https.');
  return MICROSOFT_AUTHORITY_HOSTS.has(u.hostname.toLowerCase()) ? undefined : u.host;
}

/** Graph resource root for scope prefixes in the consent URL (graph.microsoft.com in the public cloud). */
function graphResource(graphEndpoint: string): string {
  return trimSlash(new URL(graphEndpoint).origin);
}

/** Redirect URI the admin registers under "Mobile and desktop applications". */
export const PUBLIC_CLIENT_REDIRECT_URI = 'http://localhost';

/**
 * Admin-consent URL (v2.0 endpoint): `{authorityHost}/{tenant}/v2.0/adminconsent?client_id=…&scope=…&redirect_uri=…`.
 * `common` is not allowed for admin consent, so it is replaced by `organizations`.
 */
export function adminConsentUrl(
  settings: Pick<Settings, 'authorityHost' | 'tenant' | 'clientId' | 'graphEndpoint'>,
  scopes: readonly string[],
  state?: string,
): string {
  const tenant = settings.tenant.toLowerCase() === 'common' ? 'organizations' : settings.tenant;
  const resource = graphResource(settings.graphEndpoint);
  const scope = scopes.map((s) => (s.includes('/') ? s : `${resource}/${s}`)).join(' ');
  const params = new URLSearchParams({ client_id: settings.clientId, scope, redirect_uri: PUBLIC_CLIENT_REDIRECT_URI });
  if (state) params.set('state', state);
  return `${trimSlash(settings.authorityHost)}/${encodeURIComponent(tenant)}/v2.0/adminconsent?${params.toString()}`;
}

/** Scopes MSAL adds on its own; ignored when checking that a token covers a request. */
const OIDC = new Set(['openid', 'profile', 'offline_access', 'email']);

function norm(scope: string): string {
  const i = scope.lastIndexOf('/');
  return (i >= 0 ? scope.slice(i + 1) : scope).toLowerCase();
}

/**
 * Requested scopes the granted set does not contain (case-insensitive, resource prefix ignored).
 * `.default` stands for "whatever is consented" and cannot be checked by name.
 */
export function uncoveredScopes(requested: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted.map(norm));
  return requested.filter((s) => !OIDC.has(norm(s)) && norm(s) !== '.default' && !have.has(norm(s)));
}

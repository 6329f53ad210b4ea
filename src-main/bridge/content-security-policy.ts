/**
 * The renderer's Content Security Policy: one policy for the Electron shell (the `app://` scheme's
 * response header), the browser-mode bridge (response header) and the meta tag the renderer build
 * writes into index.html. Scripts only from our own origin; Graph (and, in lab mode, the lab's exact
 * origins) as the only extra network targets; no frames, no plugins, no form posts, no base-uri
 * tricks. See docs/security.md.
 */

/**
 * The Graph roots of the national clouds (global, US Government L4 and L5, China). The build writes
 * these into the meta tag; the header narrows them to the one configured endpoint. No loopback
 * origin is ever part of the production policy: the lab's origins are added only in lab mode, by
 * exact origin.
 */
export const NATIONAL_CLOUD_GRAPH_ORIGINS = [
  'https://graph.microsoft.com',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
] as const;

export interface PolicyOptions {
  /**
   * `meta` leaves out the directives a browser ignores (and warns about) in a meta tag:
   * `frame-ancestors` only works as a header.
   */
  delivery?: 'header' | 'meta';
}

export function contentSecurityPolicy(connectOrigins: readonly string[], options: PolicyOptions = {}): string {
  const connect = ["'self'", ...new Set(connectOrigins)].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Svelte and Fluent set style attributes at run time; no inline scripts are allowed.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "frame-src 'none'",
    ...(options.delivery === 'meta' ? [] : ["frame-ancestors 'none'"]),
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Origin (scheme://host:port) of a URL, for connect-src. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

const META_CSP = /<meta\s+http-equiv="Content-Security-Policy"\s+content="[^"]*"\s*\/?>/i;

/** The `<meta>` tag carrying the policy (attribute-escaped). */
export function cspMetaTag(policy: string): string {
  return `<meta http-equiv="Content-Security-Policy" content="${policy.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" />`;
}

/**
 * Puts `policy` into the page's CSP meta tag: replaces the one the build wrote, or adds one at the
 * start of <head>. The served page then carries the same policy in the header and in the tag.
 */
export function withCspMetaTag(html: string, policy: string): string {
  const tag = cspMetaTag(policy);
  if (META_CSP.test(html)) return html.replace(META_CSP, () => tag);
  return html.replace(/<head>/i, (head) => `${head}\n    ${tag}`);
}

/**
 * The renderer's Content Security Policy, shared by the Electron shell (response header) and the
 * browser-mode bridge. Scripts only from our own origin; Graph (and, in lab mode, the lab origin) as
 * the only extra network targets; no frames, no plugins, no form posts, no base-uri tricks.
 */
export function contentSecurityPolicy(connectOrigins: string[]): string {
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
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Origin (scheme://host:port) of a URL, for connect-src. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

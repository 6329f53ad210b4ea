/**
 * The outbound proxy for identity traffic from main when it runs on Node (browser mode, tests): the
 * conventional `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` variables (either case), which Node's own https does
 * not read (docs/reference/connect-sync-and-powershell.md#execution-policy-and-proxy). The Electron build
 * sends identity traffic through Electron's `net.fetch` instead, which follows the system proxy.
 */
import { EnvHttpProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici';

export interface ProxySettings {
  /** Proxy for https URLs (a CONNECT tunnel is opened through it). */
  httpsProxy?: string;
  /** Proxy for http URLs (and for https when no https proxy is set). */
  httpProxy?: string;
  /** Hosts reached directly: comma- or space-separated names, `.suffix`, `host:port`, or `*`. */
  noProxy: string;
}

function pick(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value && value.trim() ? value.trim() : undefined;
}

/** The proxy the environment names, or undefined when it names none. */
export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  const httpsProxy = pick(env, 'https_proxy');
  const httpProxy = pick(env, 'http_proxy');
  if (!httpsProxy && !httpProxy) return undefined;
  return {
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(httpProxy ? { httpProxy } : {}),
    noProxy: pick(env, 'no_proxy') ?? '',
  };
}

/** The same proxy with any user:password taken out, for logs and messages. */
export function describeProxy(proxy: ProxySettings): string {
  const strip = (u: string | undefined) => {
    if (!u) return undefined;
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host}`;
    } catch {
      return '(not a URL)';
    }
  };
  const via = strip(proxy.httpsProxy) ?? strip(proxy.httpProxy);
  return `${via}${proxy.noProxy ? ` (not for ${proxy.noProxy})` : ''}`;
}

/**
 * A fetch whose https requests go through the proxy (CONNECT) unless NO_PROXY names the host; the target's
 * certificate is checked against the system roots plus `ca` when given (through the tunnel as well).
 */
export function createProxyFetch(
  proxy: ProxySettings,
  ca?: string[],
): { fetch: (url: string, init: RequestInit) => Promise<Response>; dispatcher: Dispatcher } {
  const tlsOptions = ca ? { ca } : {};
  const dispatcher = new EnvHttpProxyAgent({
    // explicit values, so undici never falls back to this process's own environment
    httpsProxy: proxy.httpsProxy ?? proxy.httpProxy ?? '',
    httpProxy: proxy.httpProxy ?? proxy.httpsProxy ?? '',
    noProxy: proxy.noProxy,
    connect: tlsOptions,
    requestTls: tlsOptions,
  });
  return {
    dispatcher,
    fetch: async (url, init) => {
      const response = await undiciFetch(url, {
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        ...(init.body !== undefined && init.body !== null ? { body: init.body as string | Uint8Array } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
        dispatcher,
      });
      return response as unknown as Response;
    },
  };
}

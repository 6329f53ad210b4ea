/**
 * MSAL's `system.networkClient`: every request MSAL makes (OpenID metadata, device code, token)
 * goes through here: over the platform's fetch when one is given (Electron's `net.fetch`: the system
 * proxy and the Windows trust store), else over Node https trusting the extra CA from the configuration and
 * honouring HTTPS_PROXY / NO_PROXY (`proxy.ts`). It also records each URL (without query) so tests can
 * prove where traffic went.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { createHttpsFetch, type FetchFn } from './https-fetch';
import type { ProxySettings } from './proxy';
import { logger } from '../log';

const log = logger('auth.net');

export interface TrustingNetworkClientOptions {
  extraCa?: string[];
  /** Observer for every URL (tests). */
  onRequest?: (url: string, method: string) => void;
  /** Proxy for the Node transport (`proxyFromEnv`). Ignored when `platformFetch` is given. */
  proxy?: ProxySettings;
  /** The platform's fetch (Electron's `net.fetch`), used instead of Node https when given. */
  platformFetch?: FetchFn;
}

export class TrustingNetworkClient implements INetworkModule {
  private readonly fetch: FetchFn;

  constructor(options: TrustingNetworkClientOptions = {}) {
    const onRequest = (url: string, method: string) => {
      const u = new URL(url);
      log.debug('msal request', { method, url: `${u.origin}${u.pathname}` });
      options.onRequest?.(url, method);
    };
    const platformFetch = options.platformFetch;
    this.fetch = platformFetch
      ? (input, init) => {
          onRequest(input.toString(), (init?.method ?? 'GET').toUpperCase());
          return platformFetch(input, init);
        }
      : createHttpsFetch({
          ...(options.extraCa ? { extraCa: options.extraCa } : {}),
          ...(options.proxy ? { proxy: options.proxy } : {}),
          onRequest,
        });
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(
    url: string,
    method: 'GET' | 'POST',
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const controller = new AbortController();
    const timer = timeout ? setTimeout(() => controller.abort(), timeout) : undefined;
    try {
      const response = await this.fetch(url, {
        method,
        headers: options?.headers ?? {},
        ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        signal: controller.signal,
      });
      const text = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => (headers[k] = v));
      let body: unknown = {};
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new Error(`Identity endpoint answered ${response.status} with a non-JSON body.`);
        }
      }
      return { headers, body: body as T, status: response.status };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}

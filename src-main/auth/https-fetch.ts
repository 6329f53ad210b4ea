/**
 * A `fetch`-compatible function over Node's https module that trusts the system roots plus extra CA
 * certificates (the lab CA, or a corporate TLS-inspection CA). Used by MSAL's network client and by
 * Node-side Graph callers (tests, bench) that must reach an endpoint signed by such a CA without
 * relying on NODE_EXTRA_CA_CERTS (which only works when set before Node starts).
 *
 * Every request is reported to `onRequest` before it is sent, so a test can assert where traffic went.
 * With `proxy`, https requests go through that proxy (CONNECT, `proxy.ts`) unless its NO_PROXY names the host.
 */
import https from 'node:https';
import http from 'node:http';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { createProxyFetch, type ProxySettings } from './proxy';

export interface HttpsFetchOptions {
  /** Extra PEM certificates to trust in addition to the system roots. */
  extraCa?: string[];
  /** Observer: called with every URL and method before the request leaves. */
  onRequest?: (url: string, method: string) => void;
  /** Allow plain http (only for loopback URLs; MSAL's redirect listener is http://localhost). */
  allowLoopbackHttp?: boolean;
  /** Send https requests through this proxy (from `proxyFromEnv`). Loopback http never uses it. */
  proxy?: ProxySettings;
}

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Read a PEM file for `extraCa`; returns [] when no path is given. */
export function readCaFile(caPath: string | undefined): string[] {
  return caPath ? [readFileSync(caPath, 'utf8')] : [];
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]' || hostname === '::1';
}

async function bodyBytes(body: RequestInit['body'] | Request['body'] | null | undefined): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), 'utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // Blob, ReadableStream, FormData: let the platform serialise it.
  return Buffer.from(await new Response(body as ConstructorParameters<typeof Response>[0]).arrayBuffer());
}

export function createHttpsFetch(options: HttpsFetchOptions = {}): FetchFn {
  const ca = options.extraCa && options.extraCa.length > 0 ? [...tls.rootCertificates, ...options.extraCa] : undefined;
  const agent = new https.Agent({ keepAlive: false, ...(ca ? { ca } : {}) });
  const proxied = options.proxy ? createProxyFetch(options.proxy, ca).fetch : undefined;

  return async (input, init = {}) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input.toString());
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(request?.headers);
    new Headers(init.headers).forEach((v, k) => headers.set(k, v));
    const body = await bodyBytes(
      init.body ?? (request && method !== 'GET' && method !== 'HEAD' ? await request.arrayBuffer() : undefined),
    );
    const signal = init.signal ?? request?.signal ?? undefined;

    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && options.allowLoopbackHttp && isLoopback(url.hostname))
    ) {
      throw new TypeError(`Refusing a non-https request to ${url.origin}`);
    }
    options.onRequest?.(url.toString(), method);

    const outgoing: Record<string, string> = {};
    headers.forEach((v, k) => (outgoing[k] = v));
    if (proxied && url.protocol === 'https:') {
      return proxied(url.toString(), {
        method,
        headers: outgoing,
        ...(body ? { body: new Uint8Array(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    }
    if (body) outgoing['content-length'] = String(body.length);

    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
        return;
      }
      const transport = url.protocol === 'https:' ? https : http;
      const req = transport.request(
        url,
        { method, headers: outgoing, ...(url.protocol === 'https:' ? { agent } : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (v === undefined) continue;
              if (Array.isArray(v)) for (const item of v) h.append(k, item);
              else h.set(k, v);
            }
            const status = res.statusCode ?? 0;
            const noBody = status === 204 || status === 304 || method === 'HEAD';
            const response = new Response(noBody ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage ?? '',
              headers: h,
            });
            Object.defineProperty(response, 'url', { value: url.toString() });
            resolve(response);
          });
        },
      );
      req.on('error', (e) => reject(new TypeError(`fetch failed: ${e.message}`, { cause: e })));
      signal?.addEventListener('abort', () => req.destroy(new DOMException('Aborted', 'AbortError')), { once: true });
      if (body) req.write(body);
      req.end();
    });
  };
}

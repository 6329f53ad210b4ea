/**
 * The Node GraphBatchPort for tests, the kill-test runner and the benchmark: `POST {root}/v1.0/$batch`
 * over node:https with keep-alive, trusting an extra CA (the lab's). Same contract as the app's fetch
 * port; a dropped connection or timeout rejects (the pipeline treats it as "outcome unknown").
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { BatchBody, BatchHttpResponse, GraphBatchPort } from '../../../src-renderer/lib/soa/bulk/ports';

export interface NodeGraphBatchPortOptions {
  graphRoot: string;
  caCertPath?: string;
  getToken(scopes: readonly string[]): Promise<string>;
  timeoutMs?: number;
  maxSockets?: number;
  /**
   * See the outer response the way browser code does (the app's renderer, in Electron and in browser mode): send an
   * `Origin` and keep only the headers the response's `Access-Control-Expose-Headers` lists, plus the CORS-safelisted
   * ones. With Graph's list, `Retry-After` and `x-ms-throttle-*` are not readable (docs/reference/graph-and-identity.md#cors).
   */
  browserCors?: { origin: string };
}

/** Response headers every cross-origin reader may see (Fetch standard, CORS-safelisted response-header names). */
const CORS_SAFELISTED = [
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
];

/** The headers a browser page could read of a cross-origin response. */
export function corsVisibleHeaders(headers: Record<string, string>): Record<string, string> {
  const exposed = new Set(
    (headers['access-control-expose-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  if (headers['access-control-allow-origin'] === undefined) return {}; // no CORS at all: the page reads nothing
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (CORS_SAFELISTED.includes(name) || exposed.has(name)) out[name] = v;
  }
  return out;
}

export function createNodeGraphBatchPort(o: NodeGraphBatchPortOptions): GraphBatchPort & { close(): void } {
  const ca = o.caCertPath ? readFileSync(o.caCertPath) : undefined;
  const agent = new https.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 16, ...(ca ? { ca } : {}) });
  const url = new URL(`${o.graphRoot.replace(/\/+$/, '')}/v1.0/$batch`);
  return {
    close: () => agent.destroy(),
    async sendBatch(body: BatchBody, { scopes, signal }): Promise<BatchHttpResponse> {
      const token = await o.getToken(scopes);
      const payload = Buffer.from(JSON.stringify(body));
      return await new Promise<BatchHttpResponse>((resolve, reject) => {
        const req = https.request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/json',
              'Content-Length': payload.length,
              Accept: 'application/json',
              ...(o.browserCors ? { Origin: o.browserCors.origin } : {}),
            },
            ...(signal ? { signal } : {}),
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('aborted', () => reject(new Error('response aborted')));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown;
              try {
                parsed = text ? JSON.parse(text) : undefined;
              } catch {
                parsed = undefined;
              }
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
              resolve({
                status: res.statusCode ?? 0,
                headers: o.browserCors ? corsVisibleHeaders(headers) : headers,
                body: parsed,
              });
            });
          },
        );
        req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

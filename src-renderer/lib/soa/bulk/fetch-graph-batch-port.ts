/**
 * The app's Graph port: one `POST {graphRoot}/v1.0/$batch` per call over `fetch`, with a token for
 * the requested scopes from the injected provider (in the app: `auth.getAccessToken` over IPC). The
 * token is only ever put in the Authorization header, never returned or logged.
 */
import type { BatchBody, BatchHttpResponse, GraphBatchPort } from './ports';

export interface FetchGraphBatchPortOptions {
  /** Graph root without the version segment, e.g. https://graph.microsoft.com */
  graphRoot: string;
  version?: 'v1.0' | 'beta';
  getToken(scopes: readonly string[]): Promise<string>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export function createFetchGraphBatchPort(o: FetchGraphBatchPortOptions): GraphBatchPort {
  const doFetch = o.fetch ?? fetch;
  const url = `${o.graphRoot.replace(/\/+$/, '')}/${o.version ?? 'v1.0'}/$batch`;
  return {
    async sendBatch(body: BatchBody, { scopes, signal }): Promise<BatchHttpResponse> {
      if (body.requests.length === 0 || body.requests.length > 20) throw new Error('A $batch carries 1–20 requests.');
      const token = await o.getToken(scopes);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('timeout')), o.timeoutMs ?? 60_000);
      const onAbort = (): void => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const res = await doFetch(url, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
          signal: controller.signal,
        });
        const text = await res.text();
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => {
          headers[k] = v;
        });
        return { status: res.status, headers, body: parsed };
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

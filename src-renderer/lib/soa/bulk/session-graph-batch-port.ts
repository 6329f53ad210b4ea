/**
 * The bulk flows' Graph port over the shared Graph request layer (`GraphSession` from
 * lib/graph/graph-client.ts: token per scope set, Graph hosts only, typed transport): one
 * `POST /$batch` per call. Bulk adds `$batch`, pacing and its backoff on top; the session's own
 * outer retries are off here (`retries: 0`), so every throttle reaches the pacer.
 */
import type { GraphSession } from '../../graph/graph-client';
import type { BatchBody, BatchHttpResponse, GraphBatchPort } from './ports';

export interface SessionGraphBatchPortOptions {
  version?: 'v1.0' | 'beta';
  /** A batch that has not answered by then is a network error (default 60 s). */
  timeoutMs?: number;
}

export function createSessionGraphBatchPort(
  session: GraphSession,
  options: SessionGraphBatchPortOptions = {},
): GraphBatchPort {
  return {
    async sendBatch(body: BatchBody, { scopes, signal }): Promise<BatchHttpResponse> {
      if (body.requests.length === 0 || body.requests.length > 20) throw new Error('A $batch carries 1–20 requests.');
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('timeout')), options.timeoutMs ?? 60_000);
      const onAbort = (): void => controller.abort(signal?.reason);
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const { response, error, tokenError } = await session.raw({
          method: 'POST',
          path: '/$batch',
          scopes,
          body,
          headers: { Accept: 'application/json' },
          version: options.version ?? 'v1.0',
          signal: controller.signal,
          retries: 0,
        });
        // a refused token (consent, sign-in) reaches the caller as the TokenSourceError it is
        if (tokenError !== undefined) throw tokenError;
        if (!response) throw error instanceof Error ? error : new Error(String(error));
        const headers: Record<string, string> = {};
        response.headers.forEach((v, k) => {
          headers[k] = v;
        });
        return {
          status: response.status,
          headers,
          body: typeof response.body === 'string' ? undefined : response.body,
        };
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

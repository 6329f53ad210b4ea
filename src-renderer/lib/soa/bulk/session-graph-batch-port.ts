/**
 * The bulk flows' Graph port over the shared Graph request layer (`GraphSession` from
 * lib/graph/graph-client.ts: token per scope set, Graph hosts only, typed transport): one
 * `POST /$batch` per call. Bulk adds `$batch`, pacing and its backoff on top; the session's own
 * outer retries are off here (`retries: 0`), so every throttle reaches the pacer.
 */
import { TokenSourceError, type GraphSession } from '../../graph/graph-client';
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
        const first = await send(body);
        // Inner requests refused with 401: the batch's token expired before Graph reached them (Graph may
        // check it per inner request). Those were not processed, so resending just them once after a
        // forced silent refresh cannot repeat a write (docs/reference/token-lifetime.md).
        const refused = first.status === 200 ? unauthorizedIds(first.body) : new Set<string>();
        if (refused.size === 0 || controller.signal.aborted) return first;
        try {
          await session.refreshToken(scopes);
        } catch (e) {
          // A refresh that needs a sign-in (refresh token revoked or expired): the first answer stands, so
          // what Graph already did is not lost; its 401s tell the run to pause for a new sign-in
          // (docs/reference/token-lifetime.md#revoked-refresh-tokens).
          if (e instanceof TokenSourceError) return first;
          throw e;
        }
        const again = await send({ requests: body.requests.filter((r) => refused.has(r.id)) });
        if (again.status !== 200) return first;
        return { ...first, body: mergeResponses(first.body, again.body) };
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }

      async function send(body: BatchBody): Promise<BatchHttpResponse> {
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
      }
    },
  };
}

type InnerResponse = { id: string; status: number };

function innerResponses(body: unknown): InnerResponse[] {
  if (typeof body !== 'object' || body === null) return [];
  const responses = (body as { responses?: unknown }).responses;
  if (!Array.isArray(responses)) return [];
  return responses.filter(
    (r): r is InnerResponse =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as { id?: unknown }).id === 'string' &&
      typeof (r as { status?: unknown }).status === 'number',
  );
}

function unauthorizedIds(body: unknown): Set<string> {
  return new Set(
    innerResponses(body)
      .filter((r) => r.status === 401)
      .map((r) => r.id),
  );
}

/** The first answer with the resent requests' answers in place of their 401s. */
function mergeResponses(first: unknown, again: unknown): unknown {
  const byId = new Map(innerResponses(again).map((r) => [r.id, r]));
  return {
    ...(first as object),
    responses: innerResponses(first).map((r) => byId.get(r.id) ?? r),
  };
}

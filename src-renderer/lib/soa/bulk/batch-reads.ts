/**
 * Reads many Graph URLs through `$batch` (≤ 20 per batch, a few batches in flight), retrying inner
 * 429s after Retry-After and 5xx / network errors with backoff. Used by selection, CSV import,
 * planning and the rollback checks; the write pipeline has its own scheduler.
 *
 * Retries are bounded twice over: a number of attempts per read, and a time budget per read measured from its
 * first attempt (a read that keeps answering 5xx is not retried for minutes). A read that runs out of either
 * ends with its last status and `gaveUp` saying so; callers treat it as "could not read", never as an answer.
 */
import type { BatchRequest, Clock, GraphBatchPort } from './ports';
import { systemClock } from './ports';
import { batchResponseBody, collectionPage, retryAfterHeaderMs, type DirectoryObject } from './graph-bodies';
import { throttleBackoffMs } from './pacer';

export interface ReadRequest {
  key: string;
  url: string;
  headers?: Record<string, string>;
}

export interface ReadResult {
  key: string;
  /** 0 when every attempt ended in a network error */
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** attempts made for this read */
  attempts: number;
  /** set when the read was retried and then given up, e.g. "HTTP 500 on 4 attempts over 7.5 s" */
  gaveUp?: string;
}

export interface ReadOptions {
  scopes: readonly string[];
  clock?: Clock;
  concurrency?: number;
  /** attempts per read for 5xx and network errors (default 4) */
  maxAttempts?: number;
  /** attempts per read for 429s, each after its Retry-After (default 12) */
  maxThrottledAttempts?: number;
  /** time per read from its first attempt after which no retry starts (default 60 s) */
  maxRetryMs?: number;
  baseBackoffMs?: number;
  signal?: AbortSignal;
}

/** Give-up limits of `readMany` when the caller sets none. */
export const READ_RETRY_DEFAULTS = { maxAttempts: 4, maxThrottledAttempts: 12, maxRetryMs: 60_000 } as const;

export async function readMany(
  graph: GraphBatchPort,
  requests: ReadRequest[],
  options: ReadOptions,
): Promise<Map<string, ReadResult>> {
  const clock = options.clock ?? systemClock;
  const maxAttempts = options.maxAttempts ?? READ_RETRY_DEFAULTS.maxAttempts;
  const maxThrottled = options.maxThrottledAttempts ?? READ_RETRY_DEFAULTS.maxThrottledAttempts;
  const maxRetryMs = options.maxRetryMs ?? READ_RETRY_DEFAULTS.maxRetryMs;
  const base = options.baseBackoffMs ?? 500;
  const out = new Map<string, ReadResult>();
  interface Queued {
    req: ReadRequest;
    /** 5xx / network failures so far */
    attempts: number;
    /** 429s so far */
    throttles: number;
    firstAt: number | undefined;
    notBefore: number;
  }
  // Requests not yet sent are taken in order through a cursor; only the retries wait in `queue` (a short list).
  // Taking a batch costs its 20 requests, not a scan of every read left (a plan reads 100,000 URLs).
  let nextFresh = 0;
  const queue: Queued[] = [];
  const concurrency = Math.max(1, options.concurrency ?? 4);
  /** Without a readable Retry-After: a throttle waits the jittered throttle backoff (≥ 5 s), a failure doubles. */
  const backoffFor = (q: Queued, status: number): number =>
    status === 429 ? throttleBackoffMs(q.throttles + 1, Math.random) : base * 2 ** Math.min(6, q.attempts);

  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) throw new Error('cancelled');
      const now = clock.now();
      const ready: Queued[] = [];
      while (ready.length < 20 && nextFresh < requests.length) {
        const req = requests[nextFresh++] as ReadRequest;
        ready.push({ req, attempts: 0, throttles: 0, firstAt: undefined, notBefore: 0 });
      }
      for (let i = 0; i < queue.length && ready.length < 20;) {
        const q = queue[i];
        if (q && q.notBefore <= now) {
          ready.push(q);
          queue.splice(i, 1);
        } else i++;
      }
      if (ready.length === 0) {
        if (queue.length === 0) return;
        const next = Math.min(...queue.map((q) => q.notBefore));
        await clock.sleep(Math.max(5, Math.min(1000, next - now)), options.signal);
        continue;
      }
      const batch: BatchRequest[] = ready.map((q, i) => ({
        id: String(i + 1),
        method: 'GET',
        url: q.req.url,
        ...(q.req.headers ? { headers: q.req.headers } : {}),
      }));
      const sentAt = clock.now();
      for (const q of ready) q.firstAt ??= sentAt;
      const requeue = (
        q: Queued,
        delay: number,
        status: number,
        body: unknown,
        headers: Record<string, string>,
      ): void => {
        if (status === 429) q.throttles++;
        else q.attempts++;
        const tries = q.attempts + q.throttles;
        const elapsed = clock.now() - (q.firstAt ?? sentAt);
        const spent =
          q.attempts >= maxAttempts || q.throttles >= maxThrottled || elapsed + delay > maxRetryMs
            ? `${status === 0 ? 'no answer (network error)' : `HTTP ${status}`} on ${tries} attempt${tries === 1 ? '' : 's'} over ${(elapsed / 1000).toFixed(1)} s`
            : undefined;
        if (spent !== undefined)
          out.set(q.req.key, { key: q.req.key, status, body, headers, attempts: tries, gaveUp: spent });
        else {
          q.notBefore = clock.now() + delay;
          queue.push(q);
        }
      };
      try {
        const res = await graph.sendBatch(
          { requests: batch },
          { scopes: options.scopes, ...(options.signal ? { signal: options.signal } : {}) },
        );
        // an outer 424 still carries every inner answer (docs/reference/graph-and-identity.md#batch)
        const parsed = res.status === 200 || res.status === 424 ? batchResponseBody.safeParse(res.body) : undefined;
        if (!parsed?.success) {
          const ra = retryAfterHeaderMs(res.headers, clock.now());
          for (const q of ready) requeue(q, ra ?? backoffFor(q, res.status), res.status, res.body, res.headers);
          continue;
        }
        const byId = new Map(parsed.data.responses.map((r) => [r.id, r]));
        ready.forEach((q, i) => {
          const r = byId.get(String(i + 1));
          const headers = r?.headers ?? {};
          if (!r) return requeue(q, base, 0, undefined, {});
          if (r.status === 429 || r.status >= 500) {
            const delay = retryAfterHeaderMs(headers, clock.now()) ?? backoffFor(q, r.status);
            return requeue(q, delay, r.status, r.body, headers);
          }
          out.set(q.req.key, {
            key: q.req.key,
            status: r.status,
            body: r.body,
            headers,
            attempts: q.attempts + q.throttles + 1,
          });
        });
      } catch (e) {
        if (options.signal?.aborted) throw e;
        for (const q of ready) requeue(q, backoffFor(q, 0), 0, undefined, {});
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return out;
}

/** Follow `@odata.nextLink` pages of a collection GET (each page one `$batch` round trip). */
export async function readCollection(
  graph: GraphBatchPort,
  firstUrl: string,
  options: ReadOptions & { headers?: Record<string, string>; maxObjects?: number },
): Promise<DirectoryObject[]> {
  const objects: DirectoryObject[] = [];
  let url: string | undefined = firstUrl;
  const max = options.maxObjects ?? 100_000;
  while (url && objects.length < max) {
    const res = (
      await readMany(graph, [{ key: 'page', url, ...(options.headers ? { headers: options.headers } : {}) }], {
        ...options,
        concurrency: 1,
      })
    ).get('page');
    if (!res || res.status !== 200)
      throw new GraphReadError(
        `GET ${url.split('?')[0]} returned ${res?.gaveUp ?? res?.status ?? 0}`,
        res?.status ?? 0,
      );
    const page = collectionPage.safeParse(res.body);
    if (!page.success) throw new GraphReadError('Unexpected collection body', res.status);
    objects.push(...page.data.value);
    url = page.data['@odata.nextLink'] ? relativeGraphUrl(page.data['@odata.nextLink']) : undefined;
  }
  return objects.slice(0, max);
}

export class GraphReadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GraphReadError';
  }
}

/** `https://host/v1.0/contacts?$skiptoken=…` → `/contacts?$skiptoken=…` (batch URLs are relative). */
export function relativeGraphUrl(absolute: string): string {
  if (absolute.startsWith('/')) return absolute;
  const u = new URL(absolute);
  const path = u.pathname.replace(/^\/(v1\.0|beta)(?=\/)/, '');
  return path + u.search;
}

/** OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

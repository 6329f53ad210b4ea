/**
 * JSON `$batch` with per-step results. The Graph client's RetryHandler only sees the outer status
 * (200 even when inner requests were throttled), so inner 429s are re-queued here after their
 * Retry-After, up to `maxAttempts` per step. At most 20 steps per batch; more are split.
 */
import { z } from 'zod';
import type { GraphSession } from './graph-client';
import { graphErrorOf, ok, failure, retryAfterSeconds, type GraphResult } from './graph-result';

export interface BatchStep<T> {
  /** Unique within the call. */
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the version root, e.g. `/contacts/{id}/onPremisesSyncBehavior`. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Parse a 2xx body into the step's typed value (throws on an unexpected shape). */
  parse: (body: unknown, status: number) => T;
  requiredRole?: string;
}

export type BatchItemResult<T> = GraphResult<T> & { attempts: number };

export interface BatchOptions {
  /** Scopes for the whole batch (every step's needs). */
  scopes: readonly string[];
  /** Attempts per step including the first (default 5). */
  maxAttempts?: number;
  /** Wait used when an inner 429 has no Retry-After (seconds, default 5). */
  defaultWaitSeconds?: number;
  /** Injected sleep (tests, cancellation). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Observer for re-queued steps. */
  onThrottled?: (ids: string[], waitSeconds: number) => void;
  version?: 'v1.0' | 'beta';
}

export const MAX_BATCH = 20;

const batchResponseSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason ?? new Error('aborted'));
      },
      { once: true },
    );
  });
}

function headerGetter(h: Record<string, string> | undefined): { get(name: string): string | null } {
  const lower = new Map(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name) => lower.get(name.toLowerCase()) ?? null };
}

export async function runBatch<T>(
  g: GraphSession,
  steps: readonly BatchStep<T>[],
  options: BatchOptions,
): Promise<Map<string, BatchItemResult<T>>> {
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) throw new Error(`Duplicate batch step id "${s.id}"`);
    ids.add(s.id);
  }
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  const results = new Map<string, BatchItemResult<T>>();
  const attempts = new Map<string, number>();
  let pending: BatchStep<T>[] = [...steps];

  while (pending.length > 0) {
    const requeue: BatchStep<T>[] = [];
    let wait = 0;
    for (let i = 0; i < pending.length; i += MAX_BATCH) {
      const chunk = pending.slice(i, i + MAX_BATCH);
      for (const s of chunk) attempts.set(s.id, (attempts.get(s.id) ?? 0) + 1);
      const outer = await g.call(
        {
          method: 'POST',
          path: '/$batch',
          headers: { 'Content-Type': 'application/json' },
          body: {
            requests: chunk.map((s) => ({
              id: s.id,
              method: s.method,
              url: s.url,
              ...(s.body !== undefined
                ? { body: s.body, headers: { 'Content-Type': 'application/json', ...s.headers } }
                : s.headers
                  ? { headers: s.headers }
                  : {}),
            })),
          },
          scopes: options.scopes,
          ...(options.version ? { version: options.version } : {}),
        },
        (body) => batchResponseSchema.parse(body),
      );
      if (!outer.ok) {
        for (const s of chunk)
          results.set(s.id, { ...failure<T>(outer.error, outer.requestId), attempts: attempts.get(s.id) ?? 1 });
        continue;
      }
      const byId = new Map(outer.value.responses.map((r) => [r.id, r]));
      for (const s of chunk) {
        const n = attempts.get(s.id) ?? 1;
        const r = byId.get(s.id);
        if (!r) {
          results.set(s.id, {
            ...failure<T>(
              {
                kind: 'server',
                status: 0,
                code: 'missingBatchResponse',
                message: `The batch reply had no response for step ${s.id}.`,
              },
              outer.requestId,
            ),
            attempts: n,
          });
          continue;
        }
        const headers = headerGetter(r.headers);
        const requestId = headers.get('request-id') ?? outer.requestId;
        if (r.status === 429 && n < maxAttempts) {
          requeue.push(s);
          wait = Math.max(wait, retryAfterSeconds(headers.get('retry-after'), options.defaultWaitSeconds ?? 5));
          continue;
        }
        if (r.status >= 200 && r.status < 300) {
          try {
            results.set(s.id, { ...ok(s.parse(r.body, r.status), r.status, requestId), attempts: n });
          } catch (e) {
            results.set(s.id, {
              ...failure<T>(
                {
                  kind: 'server',
                  status: r.status,
                  code: 'unexpectedResponse',
                  message: `Unexpected response shape: ${e instanceof Error ? e.message : String(e)}`,
                },
                requestId,
              ),
              attempts: n,
            });
          }
          continue;
        }
        const granted = g.grantedScopes(options.scopes);
        results.set(s.id, {
          ...failure<T>(
            graphErrorOf(r.status, headers, r.body, {
              requiredScopes: options.scopes,
              ...(granted ? { grantedScopes: granted } : {}),
              ...(s.requiredRole ? { requiredRole: s.requiredRole } : {}),
            }),
            requestId,
          ),
          attempts: n,
        });
      }
    }
    pending = requeue;
    if (pending.length > 0) {
      options.onThrottled?.(
        pending.map((s) => s.id),
        wait,
      );
      await sleep(wait * 1000, options.signal);
    }
  }
  return results;
}

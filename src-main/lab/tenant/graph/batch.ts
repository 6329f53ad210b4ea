/**
 * JSON $batch: up to 20 requests, dependsOn ordering, 424 for a failed dependency, injected
 * faults per step, and each step run through the router as a request of its own.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Faults } from '../faults';
import { GraphError } from '../odata';
import { ok, type GraphRequest, type GraphResponse } from './context';
import { faultResponse, graphErrorBody } from './errors';

export interface BatchDeps {
  faults: Faults;
  now: () => number;
  /** the lab setting `batchThrottledOuterStatus` */
  throttledOuterStatus: () => 200 | 424;
  /** runs one step as a request of its own */
  dispatch: (req: GraphRequest) => Promise<GraphResponse>;
}

const batchSchema = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string().min(1),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});

function canonicalHeader(k: string): string {
  if (k === 'content-type') return 'Content-Type';
  if (k === 'retry-after') return 'Retry-After';
  return k;
}

export async function runBatch(req: GraphRequest, deps: BatchDeps): Promise<GraphResponse> {
  const parsed = batchSchema.safeParse(req.body);
  if (req.bodyInvalid || !parsed.success) throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
  const reqs = parsed.data.requests;
  if (reqs.length === 0)
    throw new GraphError(400, 'BadRequest', 'Invalid batch payload format: the batch contains no requests.');
  if (reqs.length > 20)
    throw new GraphError(400, 'BadRequest', 'Number of requests in the batch exceeds the maximum of 20.');
  const ids = new Set<string>();
  for (const r of reqs) {
    if (ids.has(r.id)) throw new GraphError(400, 'BadRequest', `Batch request id '${r.id}' is not unique.`);
    ids.add(r.id);
  }
  for (const r of reqs) {
    for (const d of r.dependsOn ?? [])
      if (!ids.has(d)) throw new GraphError(400, 'BadRequest', `Request '${r.id}' depends on unknown request '${d}'.`);
    if (r.body !== undefined && !Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) {
      throw new GraphError(400, 'BadRequest', `Request '${r.id}' has a body but no Content-Type header.`);
    }
  }
  const status = new Map<string, number>();
  const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
  const pending = [...reqs];
  const done = new Set<string>();
  while (pending.length > 0) {
    const idx = pending.findIndex((r) => (r.dependsOn ?? []).every((d) => done.has(d)));
    const r = idx >= 0 ? pending.splice(idx, 1)[0] : pending.shift();
    if (!r) break;
    const innerRequestId = randomUUID();
    const failedDep = (r.dependsOn ?? []).find((d) => {
      const s = status.get(d);
      return s === undefined || s < 200 || s >= 300;
    });
    let res: GraphResponse;
    if (failedDep !== undefined) {
      res = {
        status: 424,
        headers: { 'content-type': 'application/json' },
        body: graphErrorBody(
          'FailedDependency',
          `The request failed because it depends on request '${failedDep}', which failed.`,
          innerRequestId,
          req.clientRequestId,
          deps.now(),
        ),
      };
    } else {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
      if (headers.authorization === undefined && req.headers.authorization !== undefined)
        headers.authorization = req.headers.authorization;
      // absolute URLs and a leading version segment (what BatchRequestContent produces) are accepted
      const rel = r.url
        .replace(/^https:\/\/[^/]+/i, '')
        .replace(/^\/?/, '/')
        .replace(/^\/(v1\.0|beta)(?=\/)/i, '');
      const u = new URL(`http://x${rel}`);
      const path = decodeURIComponent(u.pathname);
      const fault = deps.faults.decide(r.method.toUpperCase(), `/${req.version}${path}`, false);
      if (fault.latencyMs > 0) await new Promise((ok) => setTimeout(ok, fault.latencyMs));
      if (fault.action?.kind === 'status') {
        res = faultResponse(
          fault.action.status,
          fault.action.retryAfterSeconds,
          innerRequestId,
          headers['client-request-id'] ?? req.clientRequestId,
          deps.now(),
          fault.action,
        );
      } else {
        res = await deps.dispatch({
          method: r.method.toUpperCase(),
          version: req.version,
          path,
          query: u.searchParams,
          headers,
          body: r.body,
          requestId: innerRequestId,
          clientRequestId: headers['client-request-id'] ?? req.clientRequestId,
          batchStepId: r.id,
        });
      }
    }
    status.set(r.id, res.status);
    done.add(r.id);
    const out: { id: string; status: number; headers: Record<string, string>; body?: unknown } = {
      id: r.id,
      status: res.status,
      headers: {},
    };
    for (const [k, v] of Object.entries(res.headers)) out.headers[canonicalHeader(k)] = v;
    if (res.body !== null) out.body = res.body;
    responses.push(out);
  }
  responses.sort((a, b) => reqs.findIndex((x) => x.id === a.id) - reqs.findIndex((x) => x.id === b.id));
  // The json-batching page says the outer status stays 200; the throttling page says the batch fails
  // with 424 when inner requests were throttled, the per-request results still in the body. Both are
  // offered (lab setting `batchThrottledOuterStatus`).
  const throttled = responses.some((r) => r.status === 429);
  return ok({ responses }, throttled && deps.throttledOuterStatus() === 424 ? 424 : 200);
}

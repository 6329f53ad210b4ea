/**
 * Fault injection per route (control API `POST /faults`): added latency, 429/500/503/504, a dropped
 * connection, or "applied but the response was lost" (the change happens, then the socket closes).
 * Deterministic: probabilities are rolled on a PRNG seeded from the lab seed.
 */
import { z } from 'zod';
import { createRng } from '../seed';

export const faultInputSchema = z
  .object({
    /** HTTP method to match (case-insensitive); omitted = any */
    method: z.string().min(1).optional(),
    /** regular expression tested against the path incl. version, e.g. `^/v1\.0/contacts/[^/]+/onPremisesSyncBehavior$` */
    path: z.string().min(1),
    kind: z.enum(['latency', 'status', 'drop', 'appliedLost']),
    /** 429 answers exactly like the throttler does (Request_ThrottledTemporarily + x-ms-throttle-* headers) */
    status: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal(504)]).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
    /** 429 only: send no Retry-After at all (what a browser sees anyway: Graph's CORS does not expose it) */
    omitRetryAfter: z.boolean().optional(),
    /** 429 only: the x-ms-throttle-limit-percentage to send, 0.8–1.8 (default 1.0) */
    limitPercentage: z.number().min(0.8).max(1.8).optional(),
    /** how many times the fault fires; omitted = unlimited */
    count: z.number().int().min(1).optional(),
    /** chance per matching request (0..1], default 1 */
    probability: z.number().gt(0).max(1).optional(),
  })
  .strict();
export type FaultInput = z.infer<typeof faultInputSchema>;

export interface Fault extends FaultInput {
  id: string;
  remaining: number | null;
  hits: number;
}

export interface FaultDecision {
  latencyMs: number;
  action:
    | {
        kind: 'status';
        status: 429 | 500 | 503 | 504;
        retryAfterSeconds: number | undefined;
        omitRetryAfter?: boolean;
        limitPercentage?: number;
      }
    | { kind: 'drop' }
    | { kind: 'appliedLost' }
    | null;
}

export class Faults {
  private list: Fault[] = [];
  private rng: () => number;
  private next = 1;

  constructor(seed: number) {
    this.rng = createRng(seed ^ 0x5eed);
  }

  add(input: FaultInput): Fault {
    const f: Fault = { ...input, id: `fault-${this.next++}`, remaining: input.count ?? null, hits: 0 };
    if (f.kind === 'status' && f.status === undefined) f.status = 503;
    this.list.push(f);
    return f;
  }

  clear(id?: string): void {
    this.list = id ? this.list.filter((f) => f.id !== id) : [];
  }

  all(): Fault[] {
    return [...this.list];
  }

  reseed(seed: number): void {
    this.rng = createRng(seed ^ 0x5eed);
  }

  decide(method: string, path: string, allowConnectionFaults = true): FaultDecision {
    const out: FaultDecision = { latencyMs: 0, action: null };
    for (const f of this.list) {
      if (f.remaining !== null && f.remaining <= 0) continue;
      if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
      let re: RegExp;
      try {
        re = new RegExp(f.path);
      } catch {
        continue;
      }
      if (!re.test(path)) continue;
      if (!allowConnectionFaults && (f.kind === 'drop' || f.kind === 'appliedLost')) continue;
      if (f.kind !== 'latency' && out.action !== null) continue;
      if (this.rng() >= (f.probability ?? 1)) continue;
      f.hits++;
      if (f.remaining !== null) f.remaining--;
      if (f.kind === 'latency') out.latencyMs += f.latencyMs ?? 0;
      else if (f.kind === 'status')
        out.action = {
          kind: 'status',
          status: f.status ?? 503,
          retryAfterSeconds: f.retryAfterSeconds,
          ...(f.omitRetryAfter ? { omitRetryAfter: true } : {}),
          ...(f.limitPercentage !== undefined ? { limitPercentage: f.limitPercentage } : {}),
        };
      else out.action = { kind: f.kind };
    }
    return out;
  }
}

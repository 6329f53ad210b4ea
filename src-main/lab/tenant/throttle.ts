/**
 * Token buckets modelled on the documented Graph identity limits (docs/reference/graph-and-identity.md#throttling, #audit-log):
 * writes 3,000 per 150 s per app+tenant and 18,000 per 5 min per tenant; audit reads 5 per 10 s
 * per app+tenant. Capacities are multiplied by the lab's `throttleScale`; refill periods stay.
 */
export interface BucketSpec {
  name: 'appTenantWrites' | 'tenantWrites' | 'auditReads' | 'provisionOnDemand';
  capacity: number;
  periodMs: number;
  /** x-ms-throttle-scope prefix, e.g. Tenant_Application/ReadWrite */
  scope: string;
  information: string;
}

export const BUCKETS: readonly BucketSpec[] = [
  {
    name: 'appTenantWrites',
    capacity: 3000,
    periodMs: 150_000,
    scope: 'Tenant_Application/ReadWrite',
    information: 'WriteLimitExceeded',
  },
  {
    name: 'tenantWrites',
    capacity: 18000,
    periodMs: 300_000,
    scope: 'Tenant/ReadWrite',
    information: 'WriteLimitExceeded',
  },
  {
    name: 'auditReads',
    capacity: 5,
    periodMs: 10_000,
    scope: 'Tenant_Application/Reports',
    information: 'ResourceUnitLimitExceeded',
  },
  /** synchronizationJob: provisionOnDemand, "5 requests per 10 seconds" (docs/reference/cloud-sync.md#provision-on-demand); scope and information names [U] */
  {
    name: 'provisionOnDemand',
    capacity: 5,
    periodMs: 10_000,
    scope: 'Tenant_Application/ProvisionOnDemand',
    information: 'ProvisionOnDemandLimitExceeded',
  },
];

interface BucketState {
  tokens: number;
  /** requests refused lately, decaying at the refill rate (drives the percentage above 1.0) */
  debt: number;
  at: number;
}

export type ThrottleDecision =
  | { ok: true; percentage: number | null }
  /** `percentage`: x-ms-throttle-limit-percentage, 1.0–1.8 (1.2 = 20 % over the limit) */
  | { ok: false; retryAfterSeconds: number; scope: string; information: string; percentage: number };

export class Throttler {
  private buckets = new Map<string, BucketState>();
  /** fill level (0..1) a bucket starts at, per bucket name (control `POST /throttle`); default full */
  private startFill = new Map<BucketSpec['name'], number>();

  constructor(
    private readonly now: () => number,
    private readonly scale: () => number,
    /** writes per second other apps spend from the tenant-wide bucket (lab setting `otherAppsWritesPerSecond`) */
    private readonly otherAppsWritesPerSecond: () => number = () => 0,
  ) {}

  /** Every bucket full again (and starting full). */
  reset(): void {
    this.buckets.clear();
    this.startFill.clear();
  }

  /**
   * Set how full a bucket is now, and how full it starts for keys not seen yet (0 = drained, 1 = full). For the
   * tenant-wide budget this stands for what the tenant's other apps have already spent before a run.
   */
  setFill(name: BucketSpec['name'], fill: number): void {
    const f = Math.min(1, Math.max(0, fill));
    this.startFill.set(name, f);
    const spec = bucket(name);
    for (const [key, s] of this.buckets) {
      if (!key.startsWith(`${name}|`)) continue;
      this.state(key, spec);
      s.tokens = f * this.capacity(spec);
    }
  }

  private capacity(spec: BucketSpec): number {
    return Math.max(1, Math.round(spec.capacity * this.scale()));
  }

  private state(key: string, spec: BucketSpec): BucketState {
    const cap = this.capacity(spec);
    const now = this.now();
    let s = this.buckets.get(key);
    if (!s) {
      s = { tokens: cap * (this.startFill.get(spec.name) ?? 1), debt: 0, at: now };
      this.buckets.set(key, s);
    }
    const dt = Math.max(0, now - s.at);
    let refill = (dt / spec.periodMs) * cap;
    if (spec.name === 'tenantWrites') refill -= (dt / 1000) * this.otherAppsWritesPerSecond();
    // the refused-request count decays as the bucket refills (it only drives the reported percentage)
    s.debt = Math.max(0, s.debt - (dt / spec.periodMs) * cap);
    // what the other apps wanted beyond an empty bucket was refused: it counts against usage like our refusals
    if (s.tokens + refill < 0) s.debt = Math.min(cap, s.debt - (s.tokens + refill));
    s.tokens = Math.max(0, Math.min(cap, s.tokens + refill));
    s.at = now;
    return s;
  }

  /** Take one token from each bucket (all or nothing). */
  take(specs: BucketSpec[], appId: string, tenantId: string): ThrottleDecision {
    const keyed = specs.map((spec) => ({
      spec,
      key: spec.name === 'tenantWrites' ? `${spec.name}|${tenantId}` : `${spec.name}|${appId}|${tenantId}`,
    }));
    const states = keyed.map((k) => ({ ...k, s: this.state(k.key, k.spec) }));
    for (const { spec, s } of states) {
      if (s.tokens < 1) {
        const cap = this.capacity(spec);
        const waitMs = ((1 - s.tokens) / cap) * spec.periodMs;
        s.debt = Math.min(s.debt + 1, cap);
        return {
          ok: false,
          percentage: Math.min(1.8, Math.max(1.0, Math.round((1 + s.debt / cap) * 10) / 10)),
          retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
          scope: spec.name === 'tenantWrites' ? `${spec.scope}/${tenantId}` : `${spec.scope}/${appId}/${tenantId}`,
          information: spec.information,
        };
      }
    }
    let maxUsed = 0;
    for (const { spec, s } of states) {
      s.tokens -= 1;
      const cap = this.capacity(spec);
      maxUsed = Math.max(maxUsed, (cap - s.tokens) / cap);
    }
    return { ok: true, percentage: maxUsed > 0.8 ? Math.round(maxUsed * 10) / 10 : null };
  }
}

export function bucket(name: BucketSpec['name']): BucketSpec {
  const b = BUCKETS.find((x) => x.name === name);
  if (!b) throw new Error(name);
  return b;
}

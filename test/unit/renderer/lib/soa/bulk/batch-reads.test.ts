/**
 * readMany's retries are bounded by attempts and by time: a read that keeps answering 5xx ends as a failed read
 * that says so (never an answer), a read that recovers is answered, and a throttle without Retry-After waits ≥ 5 s.
 */
import { describe, expect, it } from 'vitest';
import { readMany, READ_RETRY_DEFAULTS } from '../../../../../../src-renderer/lib/soa/bulk/batch-reads';
import type {
  BatchBody,
  BatchHttpResponse,
  Clock,
  GraphBatchPort,
} from '../../../../../../src-renderer/lib/soa/bulk/ports';

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

/** A Graph port answering each inner GET from a script per URL; records when each URL was asked (clock time). */
function scripted(
  clock: Clock,
  script: (url: string, n: number) => Answer,
  outerStatus = 200,
): GraphBatchPort & { asked: Map<string, number[]> } {
  const asked = new Map<string, number[]>();
  return {
    asked,
    async sendBatch(body: BatchBody): Promise<BatchHttpResponse> {
      const responses = body.requests.map((r) => {
        const times = asked.get(r.url) ?? [];
        times.push(clock.now());
        asked.set(r.url, times);
        const a = script(r.url, times.length);
        return { id: r.id, status: a.status, headers: a.headers ?? {}, body: a.body };
      });
      return { status: outerStatus, headers: {}, body: { responses } };
    },
  };
}

function virtualClock(): Clock {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
  };
}

const fail500: Answer = {
  status: 500,
  body: { error: { code: 'InternalServerError', message: 'Internal server error.' } },
};
const ok: Answer = { status: 200, body: { value: [] } };

describe('readMany retry bounds', () => {
  it('gives up a read that keeps answering 500 after the attempt limit, and says so', async () => {
    const clock = virtualClock();
    const g = scripted(clock, () => fail500);
    const r = (await readMany(g, [{ key: 'k', url: '/contacts/a/memberOf' }], { scopes: [], clock })).get('k');
    expect(r?.status).toBe(500);
    expect(r?.attempts).toBe(READ_RETRY_DEFAULTS.maxAttempts);
    expect(r?.gaveUp).toMatch(/^HTTP 500 on 4 attempts over [\d.]+ s$/);
    expect(g.asked.get('/contacts/a/memberOf')).toHaveLength(4);
  });

  it('answers a read that fails twice and then works (the failing case of giving up too early)', async () => {
    const clock = virtualClock();
    const g = scripted(clock, (_u, n) => (n <= 2 ? fail500 : ok));
    const r = (await readMany(g, [{ key: 'k', url: '/x' }], { scopes: [], clock })).get('k');
    expect(r).toMatchObject({ status: 200, attempts: 3 });
    expect(r?.gaveUp).toBeUndefined();
  });

  it('gives up by time when Retry-After is long, before the attempt limit', async () => {
    const clock = virtualClock();
    const g = scripted(clock, () => ({ ...fail500, status: 503, headers: { 'Retry-After': '40' } }));
    const r = (await readMany(g, [{ key: 'k', url: '/x' }], { scopes: [], clock, maxRetryMs: 60_000 })).get('k');
    expect(r?.status).toBe(503);
    expect(g.asked.get('/x')).toEqual([0, 40_000]); // a third try would start after 80 s > 60 s
    expect(r?.gaveUp).toMatch(/HTTP 503 on 2 attempts over 40\.0 s/);
  });

  it('a 429 without Retry-After waits the throttle backoff (≥ 5 s), not the short failure backoff', async () => {
    const clock = virtualClock();
    const g = scripted(clock, (_u, n) => (n === 1 ? { status: 429 } : ok));
    const r = (await readMany(g, [{ key: 'k', url: '/x' }], { scopes: [], clock, baseBackoffMs: 10 })).get('k');
    expect(r?.status).toBe(200);
    const [first, second] = g.asked.get('/x') ?? [];
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(5_000);
  });

  it('reads the inner answers of an outer 424 (throttling page variant) instead of failing the whole batch', async () => {
    const clock = virtualClock();
    const g = scripted(clock, () => ok, 424);
    const r = (await readMany(g, [{ key: 'k', url: '/x' }], { scopes: [], clock })).get('k');
    expect(r).toMatchObject({ status: 200, attempts: 1 });
  });
});

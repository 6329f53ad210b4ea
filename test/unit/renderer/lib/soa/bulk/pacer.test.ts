/**
 * The write pacer against Graph's throttle signals (docs/reference/graph-and-identity.md#throttling): the limit
 * percentage as a 0.8–1.8 fraction, Retry-After obeyed, a jittered exponential backoff (first ≥ 5 s) when no
 * Retry-After can be read, and the climb back after a throttle.
 */
import { describe, expect, it } from 'vitest';
import {
  DOCUMENTED_LIMITS,
  THROTTLE_BACKOFF_FIRST_MS,
  THROTTLE_BACKOFF_MAX_MS,
  WritePacer,
  limitBoundRate,
  pacedRate,
  throttleBackoffMs,
} from '../../../../../../src-renderer/lib/soa/bulk/pacer';
import { throttlePercentage } from '../../../../../../src-renderer/lib/soa/bulk/graph-bodies';

const pct = (v: string): number | undefined => throttlePercentage({ 'X-Ms-Throttle-Limit-Percentage': v });

describe('x-ms-throttle-limit-percentage', () => {
  it('is read as the fraction Graph sends, 0.8 to 1.8 (never divided as a 0–100 figure)', () => {
    expect(pct('0.8')).toBe(0.8);
    expect(pct('1.0')).toBe(1);
    expect(pct('1.6')).toBe(1.6);
    expect(pct('1.8')).toBe(1.8);
  });
  it('is not guessed at when it is not a documented fraction', () => {
    expect(pct('85')).toBeUndefined();
    expect(pct('-1')).toBeUndefined();
    expect(pct('high')).toBeUndefined();
    expect(pct('')).toBeUndefined();
    expect(throttlePercentage({})).toBeUndefined();
  });
});

describe('WritePacer', () => {
  const fresh = (random: () => number = () => 0): WritePacer =>
    new WritePacer({ ...DOCUMENTED_LIMITS, burst: 20 }, 0, random);

  it('cuts the rate to 1/p of itself when the percentage is over 1.0, at most once a second', () => {
    const p = fresh();
    p.observePercentage(1.6, 10_000);
    expect(p.throttleFactor).toBeCloseTo(1 / 1.6);
    p.observePercentage(1.8, 10_500); // within the second: no second cut
    expect(p.throttleFactor).toBeCloseTo(1 / 1.6);
    p.observePercentage(1.8, 11_100);
    expect(p.throttleFactor).toBeCloseTo(1 / 1.6 / 1.8);
  });

  it('at or below 1.0 it does not cut; near the limit a calm minute does not bring back the full rate', () => {
    const p = fresh();
    p.throttled(1000, 0); // factor 0.5, the throttle came at 1.0
    p.observePercentage(0.97, 5_000);
    p.observePercentage(1.0, 5_500);
    expect(p.throttleFactor).toBe(0.5);
    p.observePercentage(1.0, 69_900);
    p.recovered(70_000); // a calm minute, the tenant at its limit: quickly to 90 % of the throttled rate only
    expect(p.throttleFactor).toBeCloseTo(0.9);
    p.observePercentage(1.0, 74_900);
    p.recovered(75_000); // then +1 % per second
    expect(p.throttleFactor).toBeCloseTo(0.95);
    // the failing case: without the percentage a calm minute climbs straight back to the full rate
    const q = fresh();
    q.throttled(1000, 0);
    q.recovered(70_000);
    expect(q.throttleFactor).toBe(1);
  });

  it('a 429 that carries a percentage over 1.0 cuts once (1/p), not twice', () => {
    const p = fresh();
    p.observePercentage(1.7, 1_000);
    p.throttled(2_000, 1_000);
    expect(p.throttleFactor).toBeCloseTo(1 / 1.7);
    const q = fresh();
    q.throttled(2_000, 1_000); // no percentage: half
    expect(q.throttleFactor).toBe(0.5);
  });

  it('ignores percentages below 0.8 (Graph sends none there)', () => {
    const p = fresh();
    p.observePercentage(0.5, 1_000);
    p.observePercentage(0.017, 2_000);
    expect(p.throttleFactor).toBe(1);
  });

  it('holds every write until Retry-After', () => {
    const p = fresh();
    expect(p.throttled(7_000, 1_000)).toBe(7_000);
    expect(p.available(1_001)).toBe(0);
    expect(p.available(7_999)).toBe(0);
    expect(p.nextAt(2_000)).toBe(8_000);
    expect(p.available(8_000 + 1_000)).toBeGreaterThan(0);
  });

  it('without a readable Retry-After waits a jittered exponential backoff, the first at least 5 s', () => {
    const p = fresh(() => 0);
    expect(p.throttled(undefined, 0)).toBe(THROTTLE_BACKOFF_FIRST_MS);
    expect(p.throttled(undefined, 6_000)).toBe(10_000); // a second throttle in a row
    expect(p.throttled(undefined, 17_000)).toBe(20_000);
    // throttles within one episode (< 2 s apart) do not double the wait again
    expect(p.throttled(undefined, 17_500)).toBe(20_000);
    // after a calm stretch the exponent starts over
    expect(p.throttled(undefined, 100_000)).toBe(THROTTLE_BACKOFF_FIRST_MS);
    expect(p.available(104_999)).toBe(0);
    // so does it after writes went through again (a throttle is "in a row" only with no clean batch between)
    expect(p.throttled(undefined, 106_000)).toBe(10_000);
    p.recovered(117_000);
    expect(p.throttled(undefined, 118_000)).toBe(THROTTLE_BACKOFF_FIRST_MS);
  });

  it('jitter stretches each wait by up to +50 %, never below the step and never past the cap', () => {
    expect(throttleBackoffMs(1, () => 0)).toBe(5_000);
    expect(throttleBackoffMs(1, () => 0.999999)).toBe(7_500);
    expect(throttleBackoffMs(3, () => 0.5)).toBe(25_000);
    expect(throttleBackoffMs(20, () => 1)).toBe(THROTTLE_BACKOFF_MAX_MS * 1.5);
    const seen = new Set(Array.from({ length: 50 }, (_, i) => throttleBackoffMs(2, () => i / 50)));
    expect(seen.size).toBeGreaterThan(10); // really jittered
    for (const v of seen) expect(v).toBeGreaterThanOrEqual(10_000);
  });

  it('cuts the rate once per throttle episode, and climbs back quickly only to 90 % of the throttled rate', () => {
    const p = fresh();
    p.throttled(1_000, 0);
    p.throttled(1_000, 500); // same episode
    expect(p.throttleFactor).toBe(0.5);
    p.recovered(30_000);
    expect(p.throttleFactor).toBeCloseTo(0.9);
    p.recovered(35_000); // above the knee: +1 % per second
    expect(p.throttleFactor).toBeCloseTo(0.95);
    p.throttled(1_000, 45_000); // a new episode: half of the rate it came at
    expect(p.throttleFactor).toBeCloseTo(0.5 * (0.95 + 0.01 * 0));
    p.recovered(75_000); // back quickly to 90 % of that rate (0.855), then +1 %/s
    expect(p.throttleFactor).toBeCloseTo(0.855);
  });
});

describe('the rate the pacer aims at', () => {
  /** Send every write the pacer allows (checked every 10 ms) for three windows; the most writes in any window. */
  function busiestWindow(limits: typeof DOCUMENTED_LIMITS, windowMs: number): { max: number; sent: number } {
    const p = new WritePacer(limits, 0);
    const times: number[] = [];
    for (let t = 0; t <= windowMs * 3; t += 10) {
      const n = p.available(t);
      p.take(n, t);
      for (let i = 0; i < n; i++) times.push(t);
    }
    let max = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[j] ?? 0) <= (times[i] ?? 0) - windowMs) j++;
      max = Math.max(max, i - j + 1);
    }
    return { max, sent: times.length };
  }

  it('never puts more writes in a 150-s window than the limit, burst included (documented and scaled ×10)', () => {
    for (const scale of [1, 10]) {
      const limits = {
        ...DOCUMENTED_LIMITS,
        appWritesPerWindow: DOCUMENTED_LIMITS.appWritesPerWindow * scale,
        tenantWritesPerWindow: DOCUMENTED_LIMITS.tenantWritesPerWindow * scale,
      };
      const { max } = busiestWindow(limits, limits.appWindowMs);
      expect(max).toBeLessThanOrEqual(limits.appWritesPerWindow);
    }
  });

  it('aims at ≥ 98.5 % of the limit-bound rate (documented and scaled ×10)', () => {
    expect(pacedRate(DOCUMENTED_LIMITS) / limitBoundRate(DOCUMENTED_LIMITS)).toBeGreaterThanOrEqual(0.985);
    const scaled = { ...DOCUMENTED_LIMITS, appWritesPerWindow: 30_000, tenantWritesPerWindow: 180_000 };
    expect(pacedRate(scaled) / limitBoundRate(scaled)).toBeGreaterThanOrEqual(0.985);
    expect(new WritePacer(scaled, 0).baseRate).toBe(pacedRate(scaled));
  });

  it('takes the burst off the tenant budget too, with the app share of it', () => {
    const tight = { ...DOCUMENTED_LIMITS, tenantShare: 0.1 }; // 1,800 per 300 s: 6/s, tighter than the app's 20/s
    const { max } = busiestWindow(tight, tight.tenantWindowMs);
    expect(max).toBeLessThanOrEqual(1800);
    expect(pacedRate(tight)).toBeCloseTo(((1800 - 20) / 300) * 0.995, 6);
  });
});

/**
 * The token bucket and the throttle bookkeeping at their exact edges (each with the failing case): a pacer at
 * 2 writes/s (20 burst, 40 per 10 s, safety 1) makes every figure a round number.
 */
describe('WritePacer at its edges', () => {
  const fresh = (): WritePacer => new WritePacer({ ...DOCUMENTED_LIMITS, burst: 20 }, 0, () => 0);
  const SLOW = {
    appWritesPerWindow: 40,
    appWindowMs: 10_000,
    tenantWritesPerWindow: 1_000_000,
    tenantWindowMs: 1_000,
    tenantShare: 1,
    safety: 1,
    burst: 20,
  };
  const slow = (): WritePacer => new WritePacer(SLOW, 0, () => 0);

  it('the limit-bound rate takes the tenant share of the tenant window', () => {
    expect(limitBoundRate(DOCUMENTED_LIMITS)).toBe(20);
    expect(limitBoundRate({ ...DOCUMENTED_LIMITS, tenantShare: 0.1 })).toBeCloseTo(6, 9);
    expect(pacedRate(SLOW)).toBe(2);
  });

  it('starts with a full burst, refills at the rate up to the burst, and never above the burst', () => {
    const p = slow();
    expect(p.available(0)).toBe(20);
    p.take(20, 0);
    expect(p.available(0)).toBe(0);
    expect(p.available(1_500)).toBe(3);
    p.take(3, 1_500);
    expect(p.available(1_500)).toBe(0);
    expect(p.available(1_000_000)).toBe(20);
  });

  it('names when the next whole token comes: now with tokens left, else after the missing fraction at the rate', () => {
    const p = slow();
    expect(p.nextAt(5_000)).toBe(5_000);
    p.take(20, 5_000);
    expect(p.nextAt(5_000)).toBe(5_500);
    expect(p.nextAt(5_250)).toBe(5_500);
    p.take(2, 6_000); // 2 tokens refilled and taken: exactly 0 left
    expect(p.nextAt(6_000)).toBe(6_500);
  });

  it('while blocked names the end of the block; at that very millisecond the bucket decides', () => {
    const p = slow();
    p.take(20, 0);
    expect(p.throttled(300, 0)).toBe(300); // the rate is halved to 1/s
    expect(p.blockedUntilMs).toBe(300);
    expect(p.nextAt(100)).toBe(300);
    expect(p.available(299)).toBe(0);
    expect(p.nextAt(300)).toBe(1_000); // 0.3 tokens refilled at 1/s: the next one at 1 s
  });

  it('a throttle empties the bucket: after the wait only what refilled since may go', () => {
    const p = slow();
    p.throttled(1_000, 0);
    expect(p.rate).toBe(1);
    expect(p.available(1_000)).toBe(1);
  });

  it('takes percentages from 0.8 on (0.8 itself is near the limit), and cuts again exactly one second later', () => {
    for (const [below, factor] of [
      [0.5, 1],
      [0.8, 0.9],
    ] as const) {
      const p = fresh();
      p.throttled(1_000, 0); // factor 0.5, came at 1.0
      p.observePercentage(below, 69_900);
      p.recovered(70_000); // a calm minute: the full rate again unless the tenant reports usage near its limit
      expect(p.throttleFactor).toBeCloseTo(factor);
    }
    const q = fresh();
    q.observePercentage(1.6, 10_000);
    q.observePercentage(1.6, 11_000);
    expect(q.throttleFactor).toBeCloseTo(1 / 1.6 / 1.6);
  });

  it('a second cut within one episode keeps the ceiling of the first (the knee stays at 90 % of it)', () => {
    const p = fresh();
    p.observePercentage(1.6, 10_000); // 0.625, ceiling 1
    p.observePercentage(1.6, 12_000); // exactly 2 s later: the same episode, ceiling still 1
    expect(p.throttleFactor).toBeCloseTo(0.390625);
    p.observePercentage(1.0, 15_900); // near the limit: the knee applies
    p.recovered(16_000); // 4 s of +10 %/s below the knee of 0.9
    expect(p.throttleFactor).toBeCloseTo(0.790625);
  });

  it('a throttle exactly 2 s after a percentage cut does not cut again; one after 2 s is a new episode', () => {
    const p = fresh();
    p.observePercentage(1.6, 10_000);
    p.throttled(1_000, 12_000);
    expect(p.throttleFactor).toBeCloseTo(0.625);
  });

  it('counts throttles without Retry-After in a row by episode: exactly 2 s apart is the same episode', () => {
    const p = fresh();
    expect(p.throttled(undefined, 0)).toBe(5_000);
    expect(p.throttled(undefined, 2_000)).toBe(5_000);
    expect(p.throttled(undefined, 2_001 + 2_000)).toBe(10_000);
  });

  it('resets the exponent only after more than 30 s without a throttle', () => {
    const p = fresh();
    expect(p.throttled(undefined, 0)).toBe(5_000);
    expect(p.throttled(undefined, 30_000)).toBe(10_000);
    expect(p.throttled(undefined, 60_001)).toBe(5_000);
  });

  it('a throttle with a readable Retry-After does not raise the exponent; one without it right after starts at 5 s', () => {
    const p = fresh();
    expect(p.throttled(1_000, 0)).toBe(1_000);
    expect(p.throttled(undefined, 500)).toBe(5_000); // same episode, first without Retry-After
    expect(p.throttled(undefined, 8_000)).toBe(10_000); // the next episode: second in a row
    const q = fresh();
    expect(q.throttled(1_000, 0)).toBe(1_000);
    expect(q.throttled(undefined, 5_000)).toBe(5_000);
  });

  it('an accepted write makes the next throttle the first in a row again', () => {
    const p = fresh();
    expect(p.throttled(undefined, 0)).toBe(5_000);
    p.accepted();
    expect(p.throttled(undefined, 6_000)).toBe(5_000);
    const q = fresh();
    expect(q.throttled(undefined, 0)).toBe(5_000);
    expect(q.throttled(undefined, 6_000)).toBe(10_000);
  });
});

describe('the climb back after a cut, at its edges', () => {
  const fresh = (): WritePacer => new WritePacer({ ...DOCUMENTED_LIMITS, burst: 20 }, 0, () => 0);

  it('does not climb within a second of a cut; exactly one second after it does', () => {
    const p = fresh();
    p.throttled(1_000, 1_000); // cut to 0.5 at t = 1 s
    p.recovered(1_500);
    expect(p.throttleFactor).toBe(0.5);
    p.recovered(1_999);
    expect(p.throttleFactor).toBe(0.5);
    const q = fresh();
    q.throttled(1_000, 1_000);
    q.recovered(2_000); // 1 s after the cut: +10 % of the target per clean second
    expect(q.throttleFactor).toBeCloseTo(0.6, 10);
  });

  it('a minute without a throttle counts only when it is over: exactly 60 s later the climb is still slow', () => {
    const p = fresh();
    p.throttled(1_000, 0); // 0.5, ceiling 1: quickly back to 0.9 of it
    p.recovered(59_000);
    expect(p.throttleFactor).toBeCloseTo(0.9, 10);
    p.recovered(60_000); // exactly 60 s after the throttle: not calm yet, +1 % per second above the knee
    expect(p.throttleFactor).toBeCloseTo(0.91, 10);
    p.recovered(60_001); // over a minute: quickly to the full rate (at 0.1 a second, capped at 1)
    expect(p.throttleFactor).toBeCloseTo(0.9101, 10);
    p.recovered(61_001);
    expect(p.throttleFactor).toBe(1);
  });

  it('a limit percentage holds the climb slow for one second after it was seen, not at that second', () => {
    const p = fresh();
    p.observePercentage(1.6, 0); // cut to 1/1.6 = 0.625 (no throttle: the stretch counts as calm)
    p.observePercentage(0.9, 5_000); // near the limit until 6 s
    p.recovered(6_000);
    expect(p.throttleFactor).toBe(1);
    const q = fresh();
    q.observePercentage(1.6, 0);
    q.observePercentage(0.9, 5_000);
    q.recovered(5_999); // still near the limit: quickly only up to 90 % of the ceiling
    expect(q.throttleFactor).toBeCloseTo(0.9, 10);
  });
});

import { describe, expect, it } from 'vitest';
import {
  RateWindow,
  PROVISION_ON_DEMAND_LIMIT,
  REPORTING_LIMIT,
} from '../../../../../src-renderer/lib/graph/rate-window';
import { recordingClock } from '../soa/cloud-sync-fakes';

describe('RateWindow', () => {
  it('lets the documented 5 requests through in 10 s, then waits for the oldest to leave the window', async () => {
    expect(PROVISION_ON_DEMAND_LIMIT).toEqual({ requests: 5, windowMs: 10_000 });
    expect(REPORTING_LIMIT).toEqual({ requests: 5, windowMs: 10_000 });
    const c = recordingClock();
    const w = new RateWindow(PROVISION_ON_DEMAND_LIMIT, c.clock);
    const sentAt: number[] = [];
    for (let i = 0; i < 12; i++) {
      await w.take();
      sentAt.push(c.clock.now().getTime());
    }
    // No 10 s window ever holds more than 5 requests.
    for (let i = 0; i < sentAt.length; i++) {
      const inWindow = sentAt.filter((t) => t >= (sentAt[i] as number) && t < (sentAt[i] as number) + 10_000);
      expect(inWindow.length).toBeLessThanOrEqual(5);
    }
    expect(c.sleeps.length).toBeGreaterThan(0);
    expect(sentAt[5]! - sentAt[0]!).toBeGreaterThanOrEqual(10_000);
  });

  it('does not wait while the window has room', async () => {
    const c = recordingClock();
    const w = new RateWindow({ requests: 5, windowMs: 10_000 }, c.clock);
    for (let i = 0; i < 5; i++) await w.take();
    expect(c.sleeps).toEqual([]);
  });

  it('holds every request until a Retry-After has passed', async () => {
    const c = recordingClock();
    const w = new RateWindow({ requests: 5, windowMs: 10_000 }, c.clock);
    const t0 = c.clock.now().getTime();
    w.hold(7_000);
    await w.take();
    expect(c.clock.now().getTime() - t0).toBeGreaterThanOrEqual(7_000);
    expect(w.waits).toEqual([7_000]);
  });

  it('refuses a limit without room for a request', () => {
    const c = recordingClock();
    expect(() => new RateWindow({ requests: 0, windowMs: 10_000 }, c.clock)).toThrow(/at least one request/);
  });
});

import { describe, expect, it } from 'vitest';
import { ProgressMeter } from '../../../../../../../src-renderer/lib/soa/bulk/stages/progress';
import type { Slot } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { slotOf } from './slot-fixture';

const ctx = {
  counters: { writesSent: 3, throttled: 1, retries: 2 },
  concurrency: 4,
  writeRate: 12.34,
  state: 'running' as const,
};
const final = (outcome: 'verified' | 'skipped' | 'failed' | 'unverified' | 'cancelled', i: number): Slot => {
  const s = slotOf({ phase: 'final' }, { objectId: `f${i}` });
  s.result = {
    opId: s.opId,
    objectId: s.item.objectId,
    objectType: 'contact',
    action: 'transfer',
    outcome,
    written: false,
    fromJournal: false,
    attempts: 0,
  };
  return s;
};

describe('progress meter', () => {
  it('counts outcomes; written-but-unread objects count as unverified, a cancel is not done', () => {
    const slots = [
      final('verified', 1),
      final('skipped', 2),
      final('failed', 3),
      final('unverified', 4),
      final('cancelled', 5),
      slotOf({ phase: 'verify' }),
      slotOf({ uncertain: true }),
      slotOf(),
    ];
    const p = new ProgressMeter('r', slots).measure(0, ctx);
    expect(p).toMatchObject({
      runId: 'r',
      state: 'running',
      total: 8,
      done: 4,
      verified: 1,
      skipped: 1,
      failed: 1,
      unverified: 3,
      remaining: 4,
      writesSent: 3,
      throttled: 1,
      retries: 2,
      concurrency: 4,
      writeRate: 12.3,
    });
  });

  it('measures the rate over the samples and gives an ETA; no rate means no ETA until everything is done', () => {
    const slots = [slotOf({}, { objectId: 'a' }), slotOf({}, { objectId: 'b' }), slotOf({}, { objectId: 'c' })];
    const meter = new ProgressMeter('r', slots);
    expect(meter.measure(0, ctx).etaSeconds).toBeNull();
    slots[0] = final('verified', 0);
    meter.finished('verified');
    const p = meter.measure(2000, ctx);
    expect(p.ratePerSecond).toBe(0.5);
    expect(p.etaSeconds).toBe(4);
    slots[1] = final('verified', 1);
    slots[2] = final('failed', 2);
    meter.finished('verified');
    meter.finished('failed');
    expect(meter.measure(3000, ctx).etaSeconds).toBe(0);
  });

  it('keeps the counts as objects finish and looks only at the objects in progress (never every object)', () => {
    const slots = [
      final('verified', 1),
      final('cancelled', 2),
      ...Array.from({ length: 50_000 }, (_, i) => slotOf({}, { objectId: `u${i}` })),
    ];
    const started = [slotOf({ phase: 'verify' }, { objectId: 'v' }), slotOf({ uncertain: true }, { objectId: 'w' })];
    const meter = new ProgressMeter('r', slots, () => started);
    // from here on, going over every slot is the bug this guards against
    Object.defineProperty(slots, Symbol.iterator, {
      value: () => {
        throw new Error('measured by counting every object');
      },
    });
    slots.forEach = () => {
      throw new Error('measured by counting every object');
    };
    meter.finished('skipped');
    meter.finished('unverified');
    meter.finished('cancelled');
    expect(meter.measure(0, ctx)).toMatchObject({
      total: 50_002,
      done: 3,
      verified: 1,
      skipped: 1,
      failed: 0,
      // one unverified final, one read-back to come, one uncertain write
      unverified: 3,
      remaining: 49_999,
    });
  });

  it('the rate covers the last 10 s only (an early burst no longer counts), keeping at least two samples', () => {
    const meterOf = (n: number, prefix: string) =>
      new ProgressMeter(
        'r',
        Array.from({ length: n }, (_, i) => slotOf({}, { objectId: `${prefix}${i}` })),
      );
    const finish = (m: ProgressMeter, n: number) => {
      for (let i = 0; i < n; i++) m.finished('verified');
    };
    const meter = meterOf(100, 's');
    meter.measure(0, ctx);
    finish(meter, 50);
    meter.measure(1000, ctx);
    finish(meter, 10);
    // the sample at 0 is older than 10 s: 10 objects in the 10 s since the sample at 1000
    expect(meter.measure(11_000, ctx)).toMatchObject({ ratePerSecond: 1, etaSeconds: 40 });

    // a sample exactly 10 s old still counts
    const edge = meterOf(100, 'e');
    edge.measure(0, ctx);
    finish(edge, 5);
    edge.measure(1000, ctx);
    finish(edge, 1);
    expect(edge.measure(10_000, ctx).ratePerSecond).toBe(0.6);

    // with only two samples, the older one is kept however old it is
    const two = meterOf(20, 't');
    two.measure(0, ctx);
    finish(two, 10);
    expect(two.measure(20_000, ctx)).toMatchObject({ ratePerSecond: 0.5, etaSeconds: 20 });
  });

  it('gives no rate over 0.2 s or less (too short to measure), so no ETA yet', () => {
    const slots = [slotOf({}, { objectId: 'a' }), slotOf({}, { objectId: 'b' })];
    const meter = new ProgressMeter('r', slots);
    meter.measure(0, ctx);
    meter.finished('verified');
    expect(meter.measure(200, ctx)).toMatchObject({ ratePerSecond: 0, etaSeconds: null });
    expect(meter.measure(250, ctx)).toMatchObject({ ratePerSecond: 4, etaSeconds: 0 });
  });

  it('an object that ended unverified after an uncertain write counts once, as a final unverified', () => {
    const ended = final('unverified', 1);
    ended.uncertain = true;
    const p = new ProgressMeter('r', [ended, slotOf({ uncertain: true }, { objectId: 'open' })]).measure(0, ctx);
    expect(p).toMatchObject({ done: 1, unverified: 2, remaining: 1 });
  });

  it('a run whose objects are all final from the start has an ETA of 0 (no rate needed)', () => {
    const p = new ProgressMeter('r', [final('verified', 1), final('failed', 2)]).measure(5_000, ctx);
    expect(p).toMatchObject({ done: 2, remaining: 0, ratePerSecond: 0, etaSeconds: 0 });
  });

  it('the rate window works at any clock value (epoch times, not only from 0)', () => {
    const t0 = 1_700_000_000_000;
    const meter = new ProgressMeter(
      'r',
      Array.from({ length: 100 }, (_, i) => slotOf({}, { objectId: `x${i}` })),
    );
    meter.measure(t0, ctx);
    for (let i = 0; i < 50; i++) meter.finished('verified');
    meter.measure(t0 + 1000, ctx);
    for (let i = 0; i < 10; i++) meter.finished('verified');
    // the sample at t0 is older than 10 s: 10 objects in the 10 s since t0 + 1000
    expect(meter.measure(t0 + 11_000, ctx)).toMatchObject({ ratePerSecond: 1, etaSeconds: 40 });
  });
});

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
});

/**
 * The scheduler's bookkeeping, each with its failing case: how many checked objects may wait for their write (the
 * look-ahead), that claiming a re-check never hides objects claimed after it, that claiming takes pacer tokens for
 * writes only, and when the loop is woken next (each kind of object, while cancelled, with the look-ahead full, and
 * the untouched rest of the run).
 */
import { describe, expect, it } from 'vitest';
import { BatchScheduler, type PacerGate } from '../../../../../../../src-renderer/lib/soa/bulk/stages/scheduler';
import type { Slot } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { slotOf } from './slot-fixture';

/** A pacer with `tokens` writes to give at `rate` per second; out of tokens, the next one comes at now + 700. */
function gate(tokens: number, rate = 10): PacerGate & { taken: number } {
  const g = {
    taken: 0,
    rate,
    available: () => tokens - g.taken,
    take: (n: number) => void (g.taken += n),
    nextAt: (now: number) => (tokens - g.taken > 0 ? now : now + 700),
  };
  return g;
}
const many = (n: number, over: Partial<Slot> = {}, prefix = 'id'): Slot[] =>
  Array.from({ length: n }, (_, i) => slotOf(over, { objectId: `${prefix}-${i}`, wave: over.wave ?? 0 }));
/** Checked objects waiting for their write (durable intents). */
const waitingWrites = (n: number, over: Partial<Slot> = {}): Slot[] =>
  many(n, { phase: 'write', checkedAt: 0, intentWritten: true, ...over }, 'w');
const ids = (slots: Iterable<Slot>): string[] => [...slots].map((s) => s.item.objectId);

describe('scheduler: the look-ahead of checked objects', () => {
  it('re-checks no more objects than may wait for their write: 40, or 2 s of the write rate when that is more', () => {
    // out of write tokens, so the checked objects wait; 30 fresh objects could be checked
    const checksWith = (writes: number, rate: number, inFlight = 0): number => {
      const slots = [...waitingWrites(writes), ...waitingWrites(inFlight, { inFlight: true }), ...many(30)];
      const members = new BatchScheduler(slots, gate(0, rate), 15_000).build(0, 0, false);
      return members.filter((m) => m.kind === 'check').length;
    };
    expect(checksWith(39, 10)).toBe(1);
    expect(checksWith(40, 10)).toBe(0);
    // writes in flight no longer wait
    expect(checksWith(39, 10, 5)).toBe(1);
    expect(checksWith(0, 10, 39)).toBe(20);
    // 30 writes a second: 60 may wait; 30.3: ceil(60.6) = 61
    expect(checksWith(55, 30)).toBe(5);
    expect(checksWith(55, 30.3)).toBe(6);
  });
});

describe('scheduler: claiming', () => {
  it('claiming a re-check never hides the objects claimed after it (a read-back further on is still in progress)', () => {
    const slots = [
      slotOf({ uncertain: true, intentWritten: true }, { objectId: 'u' }),
      ...many(3),
      slotOf({ phase: 'verify' }, { objectId: 'v' }),
    ];
    const s = new BatchScheduler(slots, gate(100), 15_000);
    const first = s.claim(0, 0, false);
    expect(first.map((m) => [m.kind, m.slot.item.objectId])).toEqual([
      ['verify', 'v'],
      ['check', 'u'],
      ['check', 'id-0'],
      ['check', 'id-1'],
      ['check', 'id-2'],
    ]);
    s.release(first);
    expect(ids(s.started())).toEqual(['u', 'id-0', 'id-1', 'id-2', 'v']);
  });

  it('takes a pacer token for each write it claims, none for reads', () => {
    const pacer = gate(100);
    const slots = [...many(2, { phase: 'verify' }, 'v'), ...waitingWrites(3, { checkedAt: 1000 }), ...many(4)];
    const members = new BatchScheduler(slots, pacer, 15_000).claim(1000, 0, false);
    expect(members.map((m) => m.kind)).toEqual([
      'verify',
      'verify',
      'write',
      'write',
      'write',
      ...Array(4).fill('check'),
    ]);
    expect(pacer.taken).toBe(3);
  });
});

describe('scheduler: when to wake', () => {
  it('a check is due at its own time, whatever the pacer (only writes wait for a token)', () => {
    const slots = [slotOf({ notBefore: 100 }, { objectId: 'c' })];
    expect(new BatchScheduler(slots, gate(0), 15_000).wakeAt(0, 0, false)).toBe(100);
  });

  it('the earliest object decides, in any order', () => {
    const slots = [slotOf({ notBefore: 100 }, { objectId: 'a' }), slotOf({ notBefore: 500 }, { objectId: 'b' })];
    expect(new BatchScheduler(slots, gate(10), 15_000).wakeAt(0, 0, false)).toBe(100);
    expect(new BatchScheduler(slots.reverse(), gate(10), 15_000).wakeAt(0, 0, false)).toBe(100);
  });

  it('with the look-ahead full, checks do not wake the loop but read-backs still do', () => {
    // 40 checked objects wait for a token (the next at 700)
    const full = (extra: Slot): number =>
      new BatchScheduler([...waitingWrites(40), extra], gate(0), 15_000).wakeAt(0, 0, false);
    expect(full(slotOf({ notBefore: 100 }, { objectId: 'check' }))).toBe(700);
    expect(full(slotOf({ phase: 'verify', notBefore: 300 }, { objectId: 'verify' }))).toBe(300);
    // one place left in the look-ahead: the check wakes it
    const open = new BatchScheduler(
      [...waitingWrites(39), slotOf({ notBefore: 100 }, { objectId: 'check' })],
      gate(0),
      15_000,
    );
    expect(open.wakeAt(0, 0, false)).toBe(100);
  });

  it('while cancelled, only a check of an object with a durable intent wakes the loop', () => {
    const at = (over: Partial<Slot>): number =>
      new BatchScheduler([slotOf({ notBefore: 200, ...over })], gate(10), 15_000).wakeAt(0, 0, true);
    expect(at({})).toBe(1000);
    expect(at({ intentWritten: true, uncertain: true })).toBe(200);
  });

  it('the untouched rest of the run: the first of them of this wave decides (past other waves and final objects)', () => {
    // an uncertain object waits until 500; the untouched checks after it are due now
    const uncertain = (): Slot => slotOf({ uncertain: true, intentWritten: true, notBefore: 500 }, { objectId: 'u' });
    const wake = (rest: Slot[]): number =>
      new BatchScheduler([uncertain(), ...rest], gate(10), 15_000).wakeAt(1, 0, false);
    expect(wake([])).toBe(500);
    expect(wake(many(2))).toBe(0);
    expect(wake([...many(1, { wave: 1 }, 'later'), ...many(1)])).toBe(0);
    expect(wake([...many(1, { phase: 'final' }, 'done'), ...many(1)])).toBe(0);
    // only this wave's untouched objects count
    expect(wake(many(2, { wave: 1 }, 'later'))).toBe(500);
  });
});

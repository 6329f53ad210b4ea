import { describe, expect, it } from 'vitest';
import {
  BatchConcurrency,
  BatchScheduler,
  type PacerGate,
} from '../../../../../../../src-renderer/lib/soa/bulk/stages/scheduler';
import { MAX_BATCH } from '../../../../../../../src-renderer/lib/soa/bulk/stages/sender';
import type { Slot } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { slotOf } from './slot-fixture';

/** A pacer that allows `tokens` writes and records what was taken. */
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
const many = (n: number, over: Partial<Slot> = {}): Slot[] =>
  Array.from({ length: n }, (_, i) => slotOf(over, { objectId: `id-${i}`, wave: over.wave ?? 0 }));

describe('scheduler', () => {
  it('a write whose intent is still being appended ahead is neither sent nor re-checked, and does not wake the loop', () => {
    const slots = many(3, { phase: 'write', checkedAt: 0, intentPending: true });
    const scheduler = new BatchScheduler(slots, gate(100), 15_000);
    // even with its re-check long stale
    expect(scheduler.build(60_000, 0, false)).toEqual([]);
    expect(slots.map((s) => s.phase)).toEqual(['write', 'write', 'write']);
    expect(scheduler.wakeAt(60_000, 0, false)).toBe(61_000);
    // durable: sent
    for (const s of slots) Object.assign(s, { intentPending: false, intentWritten: true, checkedAt: 59_000 });
    expect(scheduler.build(60_000, 0, false).map((m) => m.kind)).toEqual(['write', 'write', 'write']);
  });

  it('started() gives the slots from the first unfinished one to the last one claimed, each in progress slot within', () => {
    const slots = [
      ...many(2, { phase: 'final' }),
      ...many(3, { phase: 'verify' }),
      ...many(1, { phase: 'check', uncertain: true, intentWritten: true }),
      ...many(100),
    ];
    const scheduler = new BatchScheduler(slots, gate(100), 15_000);
    // a resumed run: the restored read-backs and the uncertain object, nothing untouched
    expect([...scheduler.started()]).toEqual(slots.slice(2, 6));
    // the first batch claims 3 read-backs, the uncertain re-check and 16 untouched checks
    scheduler.claim(0, 0, false);
    expect([...scheduler.started()]).toEqual(slots.slice(2, 22));
    // the final slots at the start are passed over
    for (const s of slots.slice(2, 5)) s.phase = 'final';
    expect([...scheduler.started()]).toEqual(slots.slice(5, 22));
  });

  it('never puts more than 20 requests in a batch, read-backs first, then writes, then checks', () => {
    const slots = [
      ...many(5, { phase: 'check' }),
      ...many(10, { phase: 'write', checkedAt: 1000 }),
      ...many(10, { phase: 'verify' }),
    ];
    const members = new BatchScheduler(slots, gate(100), 15_000).build(1000, 0, false);
    expect(members).toHaveLength(MAX_BATCH);
    expect(members.map((m) => m.kind)).toEqual([...Array(10).fill('verify'), ...Array(10).fill('write')]);
  });

  it('caps a batch of read-backs alone at 20', () => {
    const members = new BatchScheduler(many(25, { phase: 'verify' }), gate(100), 15_000).build(0, 0, false);
    expect(members).toHaveLength(MAX_BATCH);
  });

  it('sends no more writes than the pacer allows, and claiming takes their tokens', () => {
    const pacer = gate(3);
    const slots = many(10, { phase: 'write', checkedAt: 1000 });
    const s = new BatchScheduler(slots, pacer, 15_000);
    const members = s.claim(1000, 0, false);
    expect(members).toHaveLength(3);
    expect(pacer.taken).toBe(3);
    expect(members.every((m) => m.slot.inFlight)).toBe(true);
    expect(s.build(1000, 0, false)).toEqual([]); // out of tokens: the other writes wait
    s.release(members);
    expect(members.some((m) => m.slot.inFlight)).toBe(false);
  });

  it('a write whose re-check is too old is read again (in the same batch), never written', () => {
    const [stale] = many(1, { phase: 'write', checkedAt: 0 });
    const members = new BatchScheduler([stale!], gate(10), 15_000).build(20_000, 0, false);
    expect(members.map((m) => m.kind)).toEqual(['check']);
    expect(stale!.phase).toBe('check');
  });

  it('while cancelling, sends no writes and re-checks only objects with a durable intent', () => {
    const slots = [
      ...many(2, { phase: 'write', checkedAt: 0 }),
      ...many(1, { phase: 'check' }),
      ...many(1, { phase: 'check', intentWritten: true, uncertain: true }),
    ];
    const members = new BatchScheduler(slots, gate(10), 15_000).build(0, 0, true);
    expect(members.map((m) => [m.kind, m.slot.intentWritten])).toEqual([['check', true]]);
  });

  it('schedules only the lowest unfinished wave; respects notBefore and says when to wake', () => {
    const slots = [...many(1, { wave: 1 }), ...many(1, { wave: 0, notBefore: 400 })];
    const s = new BatchScheduler(slots, gate(10), 15_000);
    expect(s.currentWave()).toBe(0);
    expect(s.build(0, 0, false)).toEqual([]);
    expect(s.wakeAt(0, 0, false)).toBe(400);
    slots[1]!.phase = 'final';
    expect(s.currentWave()).toBe(1);
    slots[0]!.phase = 'final';
    expect(s.currentWave()).toBe(Infinity);
  });

  it('finds read-backs and resumed uncertain checks anywhere in a large run', () => {
    const slots = many(1_000);
    slots[600] = slotOf({ uncertain: true, intentWritten: true }, { objectId: 'uncertain' });
    slots[900] = slotOf({ phase: 'verify' }, { objectId: 'verify' });
    const first = new BatchScheduler(slots, gate(100), 15_000).claim(0, 0, false);
    expect(first.map((m) => [m.kind, m.slot.item.objectId])).toEqual([
      ['verify', 'verify'],
      ['check', 'uncertain'],
      ...Array.from({ length: 18 }, (_, i) => ['check', `id-${i}`]),
    ]);
  });

  it('writes the objects whose checks it claimed from the untouched rest of the run', () => {
    const slots = many(1_000);
    slots[2] = slotOf({ phase: 'verify' }, { objectId: 'verify' });
    const s = new BatchScheduler(slots, gate(100), 15_000);
    const first = s.claim(0, 0, false);
    const checks = [0, 1, ...Array.from({ length: 17 }, (_, i) => i + 3)].map((i) => `id-${i}`);
    expect(first.map((m) => m.slot.item.objectId)).toEqual(['verify', ...checks]);
    // the answers: the checked objects need their write; the next batch carries all of them
    for (const m of first) m.slot.phase = m.kind === 'verify' ? 'final' : 'write';
    s.release(first);
    const second = s.claim(0, 0, false);
    expect(second.map((m) => [m.kind, m.slot.item.objectId])).toEqual([
      ...checks.map((id) => ['write', id]),
      ['check', 'id-20'],
    ]);
  });

  it('when every earlier object is final, the wave and the next checks come from the rest of the run', () => {
    const slots = [...many(30, { phase: 'final' }), ...many(5, { wave: 2 })];
    const s = new BatchScheduler(slots, gate(10), 15_000);
    expect(s.currentWave()).toBe(2);
    expect(s.wakeAt(0, 2, false)).toBe(0);
    expect(s.build(0, 2, false)).toHaveLength(5);
  });

  it('the current wave is the lowest unfinished one wherever it stands in the plan', () => {
    // a lower wave after a higher one, and a final slot of an even lower wave before both
    const slots = [...many(1, { wave: 1 }), ...many(1, { wave: 0 }), ...many(1, { wave: 2 })];
    expect(new BatchScheduler(slots, gate(10), 15_000).currentWave()).toBe(0);
    const after = [...many(1, { wave: 0, phase: 'final' }), ...many(1, { wave: 1 }), ...many(1, { wave: 2 })];
    expect(new BatchScheduler(after, gate(10), 15_000).currentWave()).toBe(1);
  });

  it('a write checked exactly the stale limit ago is still written; one millisecond later it is read again', () => {
    const [edge] = many(1, { phase: 'write', checkedAt: 1000 });
    expect(new BatchScheduler([edge!], gate(10), 15_000).build(16_000, 0, false).map((m) => m.kind)).toEqual(['write']);
    const [late] = many(1, { phase: 'write', checkedAt: 1000 });
    expect(new BatchScheduler([late!], gate(10), 15_000).build(16_001, 0, false).map((m) => m.kind)).toEqual(['check']);
  });

  it('a paced write wakes the loop when the pacer has the next token', () => {
    const s = new BatchScheduler(many(1, { phase: 'write' }), gate(0), 15_000);
    expect(s.wakeAt(0, 0, false)).toBe(700);
  });
});

describe('batch concurrency', () => {
  it('grows by one after a quick healthy batch up to the maximum, halves after a bad one, never below 1', () => {
    const c = new BatchConcurrency({ initial: 2, max: 3 });
    c.answered(0, 100);
    c.answered(0, 100);
    expect(c.value).toBe(3);
    c.answered(0.1, 100);
    expect(c.value).toBe(3);
    c.answered(0.25, 100);
    expect(c.value).toBe(1);
    c.failed();
    expect(c.value).toBe(1);
    c.answered(0, 6_000); // slow: no growth
    expect(c.value).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { SlotOutcomes } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot-outcomes';
import { DEFAULT_RETRY, type ItemResult } from '../../../../../../../src-renderer/lib/soa/bulk/run-types';
import type { Slot } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { ID, slotOf } from './slot-fixture';

function setup(retry = {}) {
  const counters = { writesSent: 0, throttled: 0, retries: 0 };
  const queued: { slot: Slot; outcome: string }[] = [];
  const items: ItemResult[] = [];
  const outcomes = new SlotOutcomes({
    clock: { now: () => 0, sleep: () => Promise.resolve() },
    retry: { ...DEFAULT_RETRY, baseMs: 100, maxMs: 1000, uncertainSettleMs: 2000, ...retry },
    counters,
    journal: { queueResult: (slot, outcome) => queued.push({ slot, outcome }) },
    random: () => 1, // no jitter: backoff is the upper bound
    onItem: (r) => items.push(r),
  });
  return { outcomes, counters, queued, items };
}

describe('slot outcomes (retry policy)', () => {
  it('backs off exponentially up to the maximum', () => {
    const { outcomes } = setup();
    expect([1, 2, 3, 5, 10].map((n) => outcomes.backoff(n))).toEqual([100, 200, 400, 1000, 1000]);
  });

  it('a write with an unknown outcome is never re-sent: it goes back to check, after the settle delay', () => {
    const { outcomes, counters } = setup();
    const slot = slotOf({ phase: 'write' });
    outcomes.transient(slot, 'write', 'HTTP 503', 10_000);
    expect(slot).toMatchObject({ phase: 'check', uncertain: true, attempts: 1, notBefore: 12_000 });
    expect(counters.retries).toBe(1);
  });

  it('a failed read is retried as the same read after its backoff (or the given Retry-After)', () => {
    const { outcomes } = setup();
    const slot = slotOf({ phase: 'verify' });
    outcomes.transient(slot, 'verify', 'HTTP 500', 0, 50);
    expect(slot).toMatchObject({ phase: 'verify', notBefore: 50, uncertain: false });
  });

  it('gives up after the last attempt: unverified when a write may have happened, failed when not', () => {
    const { outcomes, queued, items } = setup({ maxAttempts: 2 });
    const uncertain = slotOf({ phase: 'write', attempts: 1 });
    outcomes.transient(uncertain, 'write', 'HTTP 503', 0);
    const plain = slotOf({ attempts: 1 }, { objectId: 'b' });
    outcomes.transient(plain, 'check', 'HTTP 503', 0);
    expect(items.map((r) => r.outcome)).toEqual(['unverified', 'failed']);
    expect(items[0]?.reason).toBe('Gave up after 2 attempts: HTTP 503');
    expect(queued.map((q) => q.outcome)).toEqual(['unverified', 'failed']);
  });

  it('a 429 re-queues the same request after the delay, and gives up after too many', () => {
    const { outcomes, counters, items } = setup({ maxThrottled: 2 });
    const slot = slotOf({ phase: 'write' });
    outcomes.throttled(slot, 'write', 3000, 100);
    expect(slot).toMatchObject({ phase: 'write', notBefore: 3100, throttles: 1 });
    outcomes.throttled(slot, 'write', 3000, 200);
    expect(slot.phase).toBe('final');
    expect(items[0]).toMatchObject({ outcome: 'failed', reason: 'Throttled too many times' });
    expect(counters.throttled).toBe(2);
  });

  it('finalize records the result with what the slot knows', () => {
    const { outcomes, items } = setup();
    outcomes.finalize(slotOf({ written: true, writeStatus: 204, before: false }), 'verified', { after: true });
    expect(items[0]).toMatchObject({
      outcome: 'verified',
      written: true,
      writeStatus: 204,
      before: false,
      after: true,
      fromJournal: false,
    });
    expect(items[0]?.finishedAt).toBe(new Date(0).toISOString());
  });

  it('throttled too many times: unverified when a write may have happened or for a read-back, failed otherwise', () => {
    const { outcomes, items } = setup({ maxThrottled: 1 });
    outcomes.throttled(slotOf({ phase: 'check', uncertain: true }), 'check', 10, 0);
    outcomes.throttled(slotOf({ phase: 'verify' }, { objectId: 'b' }), 'verify', 10, 0);
    outcomes.throttled(slotOf({ phase: 'check' }, { objectId: 'c' }), 'check', 10, 0);
    expect(items.map((r) => [r.objectId, r.outcome])).toEqual([
      [ID, 'unverified'],
      ['b', 'unverified'],
      ['c', 'failed'],
    ]);
  });

  it('an uncertain write waits the longer of its Retry-After and the settle delay before the re-check', () => {
    const { outcomes } = setup();
    const slot = slotOf({ phase: 'write' });
    outcomes.transient(slot, 'write', 'HTTP 503', 1000, 5000);
    expect(slot).toMatchObject({ phase: 'check', uncertain: true, notBefore: 6000 });
    const read = slotOf({ phase: 'check' }, { objectId: 'b' });
    outcomes.transient(read, 'check', 'HTTP 503', 1000);
    expect(read).toMatchObject({ phase: 'check', uncertain: false, notBefore: 1100 });
  });

  it('waiting for a sign-in uses no attempt; a write that may have left goes back to check as uncertain', () => {
    const { outcomes, counters } = setup();
    const sent = slotOf({ phase: 'write', notBefore: 9, attempts: 1 });
    outcomes.awaitSignIn(sent, 'write', true);
    expect(sent).toMatchObject({ phase: 'check', uncertain: true, notBefore: 0, attempts: 1 });
    const kept = slotOf({ phase: 'write', notBefore: 9 }, { objectId: 'b' });
    outcomes.awaitSignIn(kept, 'write', false);
    expect(kept).toMatchObject({ phase: 'write', uncertain: false, notBefore: 0 });
    const read = slotOf({ phase: 'verify', notBefore: 9 }, { objectId: 'c' });
    outcomes.awaitSignIn(read, 'verify', true);
    expect(read).toMatchObject({ phase: 'verify', uncertain: false, notBefore: 0 });
    expect(counters.retries).toBe(0);
  });

  it('jitters a backoff between half and all of it, and the throttle backoff from 5 s', () => {
    const half = new SlotOutcomes({
      clock: { now: () => 0, sleep: () => Promise.resolve() },
      retry: { ...DEFAULT_RETRY, baseMs: 100, maxMs: 1000 },
      counters: { writesSent: 0, throttled: 0, retries: 0 },
      journal: { queueResult: () => undefined },
      random: () => 0,
    });
    expect([half.backoff(1), half.backoff(3), half.backoff(0)]).toEqual([50, 200, 50]);
    expect(half.throttleBackoff(1)).toBe(5000);
    expect(setup().outcomes.throttleBackoff(2)).toBe(15_000);
  });

  it('makes a slot final without a per-object callback (the caller may give none)', () => {
    const outcomes = new SlotOutcomes({
      clock: { now: () => 0, sleep: () => Promise.resolve() },
      retry: DEFAULT_RETRY,
      counters: { writesSent: 0, throttled: 0, retries: 0 },
      journal: { queueResult: () => undefined },
      random: () => 0,
    });
    const slot = slotOf();
    outcomes.finalize(slot, 'skipped');
    expect(slot).toMatchObject({ phase: 'final', result: { outcome: 'skipped' } });
  });
});

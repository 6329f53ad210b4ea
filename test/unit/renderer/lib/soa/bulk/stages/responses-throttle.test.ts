/**
 * The response handler and the sender against Graph's throttle signals, with the real write pacer: an outer 424
 * whose body holds the inner answers is read (not failed), and slows the pacer; a throttle whose Retry-After cannot
 * be read waits the jittered backoff (≥ 5 s) for writes and reads alike; a limit percentage alone is no throttle.
 */
import { describe, expect, it } from 'vitest';
import { WritePacer, DOCUMENTED_LIMITS } from '../../../../../../../src-renderer/lib/soa/bulk/pacer';
import { ResponseHandler } from '../../../../../../../src-renderer/lib/soa/bulk/stages/responses';
import { BatchConcurrency } from '../../../../../../../src-renderer/lib/soa/bulk/stages/scheduler';
import { SlotOutcomes } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot-outcomes';
import { sendMembers, type BatchOutcome } from '../../../../../../../src-renderer/lib/soa/bulk/stages/sender';
import { DEFAULT_RETRY } from '../../../../../../../src-renderer/lib/soa/bulk/run-types';
import type { Member } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import type { Clock } from '../../../../../../../src-renderer/lib/soa/bulk/ports';
import { slotOf } from './slot-fixture';

const clock: Clock = { now: () => 10_000, sleep: () => Promise.resolve() };

function setup() {
  const pacer = new WritePacer({ ...DOCUMENTED_LIMITS }, 0, () => 0);
  const outcomes = new SlotOutcomes({
    clock,
    retry: { ...DEFAULT_RETRY, baseMs: 100 },
    counters: { writesSent: 0, throttled: 0, retries: 0 },
    journal: { queueResult: () => undefined },
    random: () => 0,
  });
  const handler = new ResponseHandler({
    outcomes,
    pacer,
    concurrency: new BatchConcurrency({ initial: 2, max: 4 }),
    cancelled: () => false,
  });
  return { pacer, handler };
}
const write = (): Member => ({ slot: slotOf({ phase: 'write', intentWritten: true }), kind: 'write' });
const check = (): Member => ({ slot: slotOf({ phase: 'check' }), kind: 'check' });
const inner = (status: number, headers: Record<string, string> = {}) => ({ id: '1', status, headers });

describe('sender: outer status of a throttled $batch', () => {
  const body = { responses: [{ id: '1', status: 429, headers: { 'Retry-After': '7' } }] };
  it.each([200, 424])('reads the inner answers of an outer %s', async (status) => {
    const out = await sendMembers({ sendBatch: async () => ({ status, headers: {}, body }) }, [write()], clock);
    expect(out.ok).toBe(true);
    expect(out.ok && out.outerStatus).toBe(status === 424 ? 424 : undefined);
  });
  it('an outer 424 without readable answers is a failed batch with its status', async () => {
    const out = await sendMembers(
      { sendBatch: async () => ({ status: 424, headers: {}, body: 'x' }) },
      [write()],
      clock,
    );
    expect(out).toMatchObject({ ok: false, status: 424 });
  });
});

describe('response handler: throttles', () => {
  it('an outer 424 slows the pacer even when no write of the batch shows its own 429', () => {
    const { pacer, handler } = setup();
    const m = write();
    const outcome: BatchOutcome = { ok: true, byId: new Map([['1', inner(424)]]), outerStatus: 424 };
    handler.applyBatch([m], outcome, 9_000, 10_000, 1);
    expect(pacer.throttleFactor).toBe(0.5);
    expect(pacer.available(14_999)).toBe(0); // ≥ 5 s without a Retry-After
    // the failing case: the same answer in an outer 200 does not slow the pacer
    const b = setup();
    b.handler.applyBatch([write()], { ok: true, byId: new Map([['1', inner(424)]]) }, 9_000, 10_000, 1);
    expect(b.pacer.throttleFactor).toBe(1);
  });

  it("a write's inner 429 with Retry-After holds every write that long; without one, at least 5 s", () => {
    const a = setup();
    const m = write();
    a.handler.applyBatch([m], { ok: true, byId: new Map([['1', inner(429, { 'Retry-After': '9' })]]) }, 0, 10_000, 1);
    expect(m.slot.notBefore).toBe(19_000);
    expect(a.pacer.blockedUntilMs).toBe(19_000);
    const b = setup();
    const n = write();
    b.handler.applyBatch([n], { ok: true, byId: new Map([['1', inner(429)]]) }, 0, 10_000, 1);
    expect(n.slot.notBefore).toBe(15_000);
    expect(b.pacer.blockedUntilMs).toBe(15_000);
  });

  it('a read throttled without Retry-After waits the throttle backoff (≥ 5 s), not the short failure backoff', () => {
    const { handler } = setup();
    const m = check();
    handler.applyBatch([m], { ok: true, byId: new Map([['1', inner(429)]]) }, 0, 10_000, 0);
    expect(m.slot.notBefore).toBeGreaterThanOrEqual(15_000);
  });

  it('a whole-batch 429 whose Retry-After the renderer cannot read: writes wait the pacer backoff', () => {
    const { pacer, handler } = setup();
    const m = write();
    handler.applyBatch([m], { ok: false, reason: '$batch returned 429', status: 429 }, 0, 10_000, 1);
    expect(m.slot.phase).toBe('write'); // nothing was processed: not uncertain
    expect(m.slot.notBefore).toBe(15_000);
    expect(pacer.blockedUntilMs).toBe(15_000);
  });

  it('a limit percentage on a clean answer is no throttle: no cut, no block', () => {
    const { pacer, handler } = setup();
    handler.applyBatch(
      [write()],
      { ok: true, byId: new Map([['1', inner(204, { 'x-ms-throttle-limit-percentage': '0.9' })]]) },
      0,
      10_000,
      1,
    );
    expect(pacer.throttleFactor).toBe(1);
    expect(pacer.blockedUntilMs).toBe(0);
  });
});

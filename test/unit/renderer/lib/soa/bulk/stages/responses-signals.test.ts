/**
 * The response handler's signals, each with its failing case: how a batch's answer moves the batch concurrency
 * (a healthy batch adds one, a large share of failures or throttles halves it), which batches tell the pacer
 * "recovered" or "throttled" (only those that carried writes), and the waits of a throttled read and of a whole
 * batch that failed (the batch's own Retry-After, the pacer's wait, or the throttle backoff).
 */
import { describe, expect, it } from 'vitest';
import { throttleBackoffMs } from '../../../../../../../src-renderer/lib/soa/bulk/pacer';
import type { Member } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import type { BatchOutcome } from '../../../../../../../src-renderer/lib/soa/bulk/stages/sender';
import { DEFAULT_RETRY } from '../../../../../../../src-renderer/lib/soa/bulk/run-types';
import { answered, recordingHandler } from './responses-fixture';
import { slotOf } from './slot-fixture';

const reads = (n: number, throttles = 0): Member[] =>
  Array.from({ length: n }, (_, i) => ({
    slot: slotOf({ phase: 'verify', throttles }, { objectId: `r${i}` }),
    kind: 'verify',
  }));
const ok200 = (id: number) => ({ id: String(id), status: 200, body: { isCloudManaged: true } });
/** The handler's fixture backs off 100 ms × 2^(n-1) (random fixed at 1). */
const backoff = (n: number) => 100 * 2 ** (n - 1);

describe('response handler: batch concurrency', () => {
  it('a healthy batch answered quickly adds one batch in flight; one answered after 5 s does not', () => {
    const { handler, concurrency } = recordingHandler();
    handler.applyBatch(reads(2), answered(ok200(1), ok200(2)), 10_000, 11_000, 0);
    expect(concurrency.value).toBe(5);
    handler.applyBatch(reads(2), answered(ok200(1), ok200(2)), 10_000, 15_000, 0);
    expect(concurrency.value).toBe(5);
  });

  it('a batch whose inner answers are 5xx, 429 or missing (a quarter or more) halves it', () => {
    for (const failing of [
      { id: '1', status: 500 },
      { id: '1', status: 503 },
      { id: '1', status: 429, headers: { 'Retry-After': '1' } },
    ]) {
      const { handler, concurrency } = recordingHandler();
      handler.applyBatch(reads(4), answered(failing, ok200(2), ok200(3), ok200(4)), 0, 10, 0);
      expect(concurrency.value, `status ${failing.status}`).toBe(2);
    }
    const lost = recordingHandler();
    lost.handler.applyBatch(reads(4), answered(ok200(2), ok200(3), ok200(4)), 0, 10, 0);
    expect(lost.concurrency.value).toBe(2);
    const throttled = recordingHandler();
    throttled.handler.applyBatch(
      reads(2),
      answered({ id: '1', status: 429 }, { id: '2', status: 429, headers: { 'Retry-After': '1' } }),
      0,
      10,
      0,
    );
    expect(throttled.concurrency.value).toBe(2);
  });

  it('one failure in five is under a quarter: the batch counts as healthy', () => {
    const { handler, concurrency } = recordingHandler();
    handler.applyBatch(reads(5), answered({ id: '1', status: 500 }, ok200(2), ok200(3), ok200(4), ok200(5)), 0, 10, 0);
    expect(concurrency.value).toBe(5);
    // 4xx answers are the objects' own answers, not a sign of an overloaded service
    const own = recordingHandler();
    own.handler.applyBatch(reads(2), answered({ id: '1', status: 404 }, { id: '2', status: 499 }), 0, 10, 0);
    expect(own.concurrency.value).toBe(5);
  });
});

describe('response handler: pacer signals', () => {
  it('a batch of reads only tells the pacer nothing, answered, answered with 424, or failed with 429', () => {
    const clean = recordingHandler();
    clean.handler.applyBatch(reads(1), answered(ok200(1)), 0, 0, 0);
    expect(clean.pacerCalls).toEqual([]);
    const outer424 = recordingHandler();
    const o: BatchOutcome = { ok: true, byId: new Map([['1', ok200(1)]]), outerStatus: 424 };
    outer424.handler.applyBatch(reads(1), o, 0, 0, 0);
    expect(outer424.pacerCalls).toEqual([]);
    const whole429 = recordingHandler();
    const [r] = reads(1, 2);
    whole429.handler.applyBatch([r!], { ok: false, reason: '$batch returned 429', status: 429 }, 0, 100, 0);
    expect(whole429.pacerCalls).toEqual([]);
    // its wait is the throttle backoff of its next throttle (the third here), not the pacer's
    expect(r!.slot).toMatchObject({ phase: 'verify', throttles: 3, notBefore: 100 + throttleBackoffMs(3, () => 1) });
  });

  it('a read’s own 429 is no write throttle: the pacer still hears that the batch’s writes went through', () => {
    const { handler, pacerCalls } = recordingHandler();
    const w: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    const r: Member = { slot: slotOf({ phase: 'verify' }, { objectId: 'b' }), kind: 'verify' };
    handler.applyBatch([w, r], answered({ id: '1', status: 204 }, { id: '2', status: 429 }), 0, 0, 1);
    expect(pacerCalls).toEqual(['recovered']);
  });

  it('a throttled read waits its own Retry-After, or the throttle backoff of its next throttle, without the pacer', () => {
    const { handler, pacerCalls } = recordingHandler();
    const a: Member = { slot: slotOf({ phase: 'verify' }), kind: 'verify' };
    handler.applyBatch([a], answered({ id: '1', status: 429, headers: { 'Retry-After': '2' } }), 0, 1000, 0);
    expect(a.slot).toMatchObject({ phase: 'verify', throttles: 1, notBefore: 3000 });
    const b: Member = { slot: slotOf({ phase: 'check', throttles: 2 }), kind: 'check' };
    handler.applyBatch([b], answered({ id: '1', status: 429 }), 0, 1000, 0);
    expect(b.slot).toMatchObject({ phase: 'check', throttles: 3, notBefore: 1000 + throttleBackoffMs(3, () => 1) });
    expect(pacerCalls).toEqual([]);
  });

  it('a whole batch throttled with writes waits what the pacer says, not the batch’s own Retry-After', () => {
    const { handler, pacerCalls } = recordingHandler({ throttledFor: 7000 });
    const w: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    handler.applyBatch([w], { ok: false, reason: '$batch returned 429', status: 429, retryAfter: 500 }, 0, 100, 1);
    expect(pacerCalls).toEqual(['throttled 500']);
    expect(w.slot).toMatchObject({ phase: 'write', throttles: 1, notBefore: 7100 });
    // a 424 without answers: the write's fate is unknown: back to check after the pacer's wait
    const s = recordingHandler({ throttledFor: 9000 });
    const x: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    s.handler.applyBatch([x], { ok: false, reason: '$batch returned 424', status: 424, retryAfter: 500 }, 0, 100, 1);
    expect(x.slot).toMatchObject({ phase: 'check', uncertain: true, attempts: 1, throttles: 0, notBefore: 9100 });
  });

  it('a whole batch that failed with 5xx and no Retry-After backs off per attempt (not the throttle backoff)', () => {
    const { handler, pacerCalls } = recordingHandler({ throttledFor: 9000 });
    const [r] = reads(1);
    handler.applyBatch([r!], { ok: false, reason: '$batch returned 503', status: 503 }, 0, 100, 0);
    expect(r!.slot).toMatchObject({ phase: 'verify', attempts: 1, notBefore: 100 + backoff(1) });
    const [n] = reads(1);
    handler.applyBatch([n!], { ok: false, reason: 'network error: reset' }, 0, 100, 0);
    expect(n!.slot).toMatchObject({ phase: 'verify', attempts: 1, notBefore: 100 + backoff(1) });
    expect(pacerCalls).toEqual([]);
  });
});

describe('response handler: reasons', () => {
  const last = (kind: 'verify' | 'check' = 'verify'): Member => ({
    slot: slotOf({ phase: kind, attempts: DEFAULT_RETRY.maxAttempts - 1 }),
    kind,
  });

  it('a lost inner answer and a bare 5xx say so in the reason of the object that gave up', () => {
    const { handler, items } = recordingHandler();
    handler.applyBatch([last()], answered(), 0, 0, 0);
    handler.applyBatch([last()], answered({ id: '1', status: 503 }), 0, 0, 0);
    expect(items.map((r) => [r.outcome, r.reason])).toEqual([
      ['unverified', `Gave up after ${DEFAULT_RETRY.maxAttempts} attempts: no response for this request in the batch`],
      ['unverified', `Gave up after ${DEFAULT_RETRY.maxAttempts} attempts: HTTP 503`],
    ]);
  });

  it('an answer below 200 is no acknowledgement of a PATCH', () => {
    const { handler, items } = recordingHandler();
    const w: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    handler.applyBatch([w], answered({ id: '1', status: 199 }), 0, 0, 1);
    expect(w.slot.written).toBe(false);
    expect(items.map((r) => [r.outcome, r.reason])).toEqual([['failed', 'PATCH returned 199: no error body']]);
  });

  it('a 401 for a slot already final asks for no sign-in', () => {
    const { handler } = recordingHandler();
    const done: Member = { slot: slotOf({ phase: 'final' }), kind: 'verify' };
    expect(handler.applyBatch([done], answered({ id: '1', status: 401 }), 0, 0, 0)).toBeUndefined();
    expect(done.slot.phase).toBe('final');
  });
});

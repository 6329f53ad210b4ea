import { describe, expect, it } from 'vitest';
import type { Member } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { answered, recordingHandler } from './responses-fixture';
import { slotOf } from './slot-fixture';

const setup = (cancelled = false) => recordingHandler({ cancelled });

describe('response handler', () => {
  it('an acknowledged write goes to verify with its status and request id; nothing is final yet', () => {
    const { handler, items, pacerCalls } = setup();
    const m: Member = { slot: slotOf({ phase: 'write', notBefore: 5 }), kind: 'write' };
    handler.applyBatch([m], answered({ id: '1', status: 204, headers: { 'request-id': 'rq-1' } }), 0, 10, 1);
    expect(m.slot).toMatchObject({ phase: 'verify', written: true, writeStatus: 204, requestId: 'rq-1', notBefore: 0 });
    expect(items).toEqual([]);
    expect(pacerCalls).toEqual(['recovered']);
  });

  it('an inner 429 on a write stops the pacer for Retry-After and re-queues the write (not applied)', () => {
    const { handler, pacerCalls } = setup();
    const m: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    handler.applyBatch([m], answered({ id: '1', status: 429, headers: { 'Retry-After': '2' } }), 0, 1000, 1);
    expect(pacerCalls).toEqual(['throttled 2000']); // and no "recovered"
    expect(m.slot).toMatchObject({ phase: 'write', notBefore: 3000, uncertain: false });
  });

  it('a lost inner response of a write makes it uncertain and sends it back to check (never re-sent blindly)', () => {
    const { handler } = setup();
    const m: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    handler.applyBatch([m], answered(), 0, 0, 1);
    expect(m.slot).toMatchObject({ phase: 'check', uncertain: true });
  });

  it('a read goes through the verifier: the read-back in the target state is verified, a needed write is scheduled', () => {
    const { handler, items } = setup();
    const verify: Member = { slot: slotOf({ phase: 'verify', written: true }), kind: 'verify' };
    const check: Member = { slot: slotOf({ uncertain: true }, { objectId: 'b' }), kind: 'check' };
    handler.applyBatch(
      [verify, check],
      answered(
        { id: '1', status: 200, body: { isCloudManaged: true } },
        { id: '2', status: 200, body: { isCloudManaged: false } },
      ),
      0,
      7,
      0,
    );
    expect(items.map((r) => [r.outcome, r.after])).toEqual([['verified', true]]);
    expect(check.slot).toMatchObject({ phase: 'write', before: false, uncertain: false, checkedAt: 7 });
  });

  it('while cancelling, a re-check that finds a write needed ends the object as cancelled instead of writing', () => {
    const { handler, items } = setup(true);
    const check: Member = { slot: slotOf({ intentWritten: true, uncertain: true }), kind: 'check' };
    handler.applyBatch([check], answered({ id: '1', status: 200, body: { isCloudManaged: false } }), 0, 0, 0);
    expect(items[0]?.outcome).toBe('cancelled');
  });

  it('passes x-ms-throttle-limit-percentage to the pacer, which then climbs only slowly (a clean batch all the same)', () => {
    const { handler, pacerCalls } = setup();
    const m: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    handler.applyBatch(
      [m],
      answered({ id: '1', status: 204, headers: { 'x-ms-throttle-limit-percentage': '0.96' } }),
      0,
      0,
      1,
    );
    // the percentage is no throttle: the pacer's own near-limit rule keeps the climb slow (pacer.test.ts)
    expect(pacerCalls).toEqual(['pct 0.96', 'recovered']);
  });

  it('a whole batch 429 throttles the pacer and every member; a dropped batch halves the concurrency', () => {
    const { handler, pacerCalls, concurrency } = setup();
    const w: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    handler.applyBatch([w], { ok: false, reason: '$batch returned 429', status: 429, retryAfter: 500 }, 0, 0, 1);
    expect(pacerCalls).toEqual(['throttled 500']);
    expect(w.slot).toMatchObject({ phase: 'write', throttles: 1, notBefore: 500 });
    expect(concurrency.value).toBe(2);
    const r: Member = { slot: slotOf({ phase: 'write' }, { objectId: 'b' }), kind: 'write' };
    handler.applyBatch([r], { ok: false, reason: 'network error: reset' }, 0, 0, 1);
    expect(r.slot).toMatchObject({ phase: 'check', uncertain: true });
    expect(concurrency.value).toBe(1);
  });
});

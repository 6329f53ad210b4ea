/**
 * The response handler's other branches, each with its failing case: a refused token (inner 401) waits for a
 * sign-in and never counts as an answer, a refused PATCH fails with Graph's own words, a transient inner
 * failure is retried with its Retry-After, and a slot already final is left alone.
 */
import { describe, expect, it } from 'vitest';
import type { Member } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { DEFAULT_RETRY } from '../../../../../../../src-renderer/lib/soa/bulk/run-types';
import { answered, recordingHandler } from './responses-fixture';
import { slotOf } from './slot-fixture';

const setup = () => recordingHandler({ recordAccepted: true });
const graphError = (code: string, message: string) => ({ error: { code, message } });

describe('response handler: token refused, PATCH refused, transient failures', () => {
  it('an inner 401 sends the member back to wait for a sign-in, with Graph’s words; the others are applied', () => {
    const { handler, pacerCalls } = setup();
    const w: Member = { slot: slotOf({ phase: 'write', attempts: 1 }), kind: 'write' };
    const v: Member = { slot: slotOf({ phase: 'verify', written: true }, { objectId: 'b' }), kind: 'verify' };
    const out = handler.applyBatch(
      [w, v],
      answered(
        { id: '1', status: 401, body: graphError('InvalidAuthenticationToken', 'Lifetime validation failed') },
        { id: '2', status: 200, body: { isCloudManaged: true } },
      ),
      0,
      5,
      1,
    );
    expect(out).toEqual({
      signIn: 'Microsoft Graph refused the token: InvalidAuthenticationToken: Lifetime validation failed',
    });
    // not processed: the write is asked again as it was, no attempt used, nothing final
    expect(w.slot).toMatchObject({ phase: 'write', attempts: 1, notBefore: 0, written: false });
    expect(v.slot.phase).toBe('final');
    expect(pacerCalls).toEqual(['recovered']);
    const bare = setup().handler.applyBatch(
      [{ slot: slotOf({ phase: 'write' }), kind: 'write' }],
      answered({ id: '1', status: 401 }),
      0,
      0,
      1,
    );
    expect(bare).toEqual({ signIn: 'Microsoft Graph refused the token: HTTP 401' });
  });

  it('a token that could not be had: every member waits for the sign-in and the reason is handed back', () => {
    const { handler, concurrency } = setup();
    const a: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    const b: Member = { slot: slotOf({ phase: 'verify' }, { objectId: 'b' }), kind: 'verify' };
    const out = handler.applyBatch([a, b], { ok: false, reason: 'sign in again', signIn: true }, 0, 0, 1);
    expect(out).toEqual({ signIn: 'sign in again' });
    expect([a.slot.phase, b.slot.phase]).toEqual(['write', 'verify']);
    expect(a.slot.uncertain).toBe(false);
    expect(concurrency.value).toBe(4); // not a failed batch
  });

  it('a refused PATCH fails the object with the status and Graph’s message (or says there was none)', () => {
    const { handler, items, pacerCalls } = setup();
    const w: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    const x: Member = { slot: slotOf({ phase: 'write' }, { objectId: 'b' }), kind: 'write' };
    handler.applyBatch(
      [w, x],
      answered(
        { id: '1', status: 400, body: graphError('Request_BadRequest', 'not allowed') },
        { id: '2', status: 403 },
      ),
      0,
      0,
      2,
    );
    expect(items.map((r) => [r.outcome, r.reason])).toEqual([
      ['failed', 'PATCH returned 400: Request_BadRequest: not allowed'],
      ['failed', 'PATCH returned 403: no error body'],
    ]);
    expect([w.slot.writeStatus, x.slot.writeStatus]).toEqual([400, 403]);
    expect(w.slot.written).toBe(false);
    expect(pacerCalls).not.toContain('accepted');
  });

  it('an accepted PATCH is acknowledged to the pacer and keeps the client-request-id when there is no request-id', () => {
    const { handler, pacerCalls } = setup();
    const w: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    handler.applyBatch([w], answered({ id: '1', status: 200, headers: { 'client-request-id': 'crid' } }), 0, 0, 1);
    expect(w.slot).toMatchObject({ phase: 'verify', requestId: 'crid', writeStatus: 200 });
    expect(pacerCalls).toEqual(['accepted', 'recovered']);
    const none: Member = { slot: slotOf({ phase: 'write', requestId: 'old' }), kind: 'write' };
    setup().handler.applyBatch([none], answered({ id: '1', status: 204 }), 0, 0, 1);
    expect(none.slot.requestId).toBe('old');
    // 300 is not an acknowledgement
    const { handler: h3, items } = setup();
    h3.applyBatch([{ slot: slotOf({ phase: 'write' }), kind: 'write' }], answered({ id: '1', status: 300 }), 0, 0, 1);
    expect(items[0]?.outcome).toBe('failed');
  });

  it('inner 5xx, 424 and 408 are transient: retried after their Retry-After, with the status in the reason', () => {
    for (const status of [500, 503, 424, 408]) {
      const { handler, items } = setup();
      const r: Member = { slot: slotOf({ phase: 'verify', attempts: DEFAULT_RETRY.maxAttempts - 1 }), kind: 'verify' };
      const v: Member = { slot: slotOf({ phase: 'verify' }, { objectId: 'b' }), kind: 'verify' };
      handler.applyBatch(
        [r, v],
        answered(
          { id: '1', status, body: graphError('ServiceUnavailable', 'busy') },
          { id: '2', status, headers: { 'Retry-After': '3' } },
        ),
        0,
        1000,
        0,
      );
      expect(items.map((x) => x.reason)).toEqual([
        `Gave up after ${DEFAULT_RETRY.maxAttempts} attempts: HTTP ${status} ServiceUnavailable: busy`,
      ]);
      expect(v.slot).toMatchObject({ phase: 'verify', attempts: 1, notBefore: 4000 });
    }
    // 407 and 404 are not transient
    const { handler, items } = setup();
    handler.applyBatch(
      [{ slot: slotOf({ phase: 'verify' }), kind: 'verify' }],
      answered({ id: '1', status: 407 }),
      0,
      0,
      0,
    );
    expect(items[0]?.reason ?? '').not.toMatch(/^Gave up|^HTTP/);
  });

  it('a slot already final is left alone, whatever its answer says', () => {
    const { handler, items, pacerCalls } = setup();
    const done = slotOf({ phase: 'final', notBefore: 9 });
    handler.applyInner({ slot: done, kind: 'write' }, { id: '1', status: 429, headers: { 'Retry-After': '5' } }, 0);
    handler.applyInner({ slot: done, kind: 'write' }, undefined, 0);
    expect(done).toMatchObject({ phase: 'final', notBefore: 9, throttles: 0, attempts: 0 });
    expect(items).toEqual([]);
    expect(pacerCalls).toEqual([]);
  });

  it('a whole batch that failed (not a throttle) retries each member after the batch’s own Retry-After', () => {
    const { handler, pacerCalls } = setup();
    const r: Member = { slot: slotOf({ phase: 'verify' }), kind: 'verify' };
    handler.applyBatch([r], { ok: false, reason: '$batch returned 503', status: 503, retryAfter: 7000 }, 0, 100, 1);
    expect(r.slot).toMatchObject({ phase: 'verify', attempts: 1, notBefore: 7100 });
    expect(pacerCalls).toEqual([]);
    // a 424 without answers: each member after the pacer's wait, a write back to check
    const s = setup();
    const w: Member = { slot: slotOf({ phase: 'write' }), kind: 'write' };
    s.handler.applyBatch([w], { ok: false, reason: '$batch returned 424', status: 424, retryAfter: 2000 }, 0, 0, 1);
    expect(s.pacerCalls).toEqual(['throttled 2000']);
    expect(w.slot).toMatchObject({ phase: 'check', uncertain: true, throttles: 0, attempts: 1 });
  });
});

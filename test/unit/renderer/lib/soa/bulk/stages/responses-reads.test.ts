/**
 * How the response handler applies the verifier's verdict on a read, each with its failing case: an unreadable
 * object ends with the verifier's outcome and reason, a bad body is read again, a re-check already in the target
 * state is skipped with its reason, a read-back still showing the old state is read again after a backoff (and
 * given up as unverified after the last try), a needed write keeps the first state read, and a cancel says why.
 */
import { describe, expect, it } from 'vitest';
import type { Member } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { MAX_VERIFY_MISMATCHES } from '../../../../../../../src-renderer/lib/soa/bulk/stages/verifier';
import { answered, recordingHandler } from './responses-fixture';
import { slotOf } from './slot-fixture';

const read = (status: number, body?: unknown) => answered({ id: '1', status, ...(body !== undefined ? { body } : {}) });

describe('response handler: read verdicts', () => {
  it('an unreadable object ends at once with the verifier’s outcome and reason (no retry)', () => {
    const { handler, items } = recordingHandler();
    const v: Member = { slot: slotOf({ phase: 'verify', written: true }), kind: 'verify' };
    const c: Member = { slot: slotOf({}, { objectId: 'b' }), kind: 'check' };
    handler.applyBatch([v], read(404, { error: { code: 'Request_ResourceNotFound', message: 'gone' } }), 0, 0, 0);
    handler.applyBatch([c], read(403), 0, 0, 0);
    expect(items.map((r) => [r.outcome, r.reason])).toEqual([
      ['unverified', 'GET returned 404: Request_ResourceNotFound: gone'],
      ['failed', 'GET returned 403: no error body'],
    ]);
    expect([v.slot.phase, v.slot.attempts, c.slot.phase]).toEqual(['final', 0, 'final']);
  });

  it('a body without isCloudManaged is a transient failure: read again after a backoff, not final', () => {
    const { handler, items } = recordingHandler();
    const v: Member = { slot: slotOf({ phase: 'verify', written: true, checkedAt: 3 }), kind: 'verify' };
    handler.applyBatch([v], read(200, { something: 'else' }), 0, 50, 0);
    expect(items).toEqual([]);
    expect(v.slot).toMatchObject({ phase: 'verify', attempts: 1, notBefore: 150, checkedAt: 3 });
  });

  it('a re-check already in the target state is skipped, with the state read and the reason', () => {
    const { handler, items } = recordingHandler();
    const c: Member = { slot: slotOf({}), kind: 'check' };
    handler.applyBatch([c], read(200, { isCloudManaged: true }), 0, 40, 0);
    expect(c.slot).toMatchObject({ phase: 'final', before: true, checkedAt: 40 });
    expect(items.map((r) => [r.outcome, r.after, r.before, r.reason])).toEqual([
      ['skipped', true, true, 'Already in the target state at the re-check; nothing written.'],
    ]);
  });

  it('a read-back still showing the old state is read again after a growing backoff, then given up as unverified', () => {
    const { handler, items } = recordingHandler();
    const v: Member = { slot: slotOf({ phase: 'verify', written: true }), kind: 'verify' };
    handler.applyBatch([v], read(200, { isCloudManaged: false }), 0, 1000, 0);
    expect(v.slot).toMatchObject({ phase: 'verify', verifyMismatches: 1, notBefore: 1100, checkedAt: 1000 });
    handler.applyBatch([v], read(200, { isCloudManaged: false }), 0, 2000, 0);
    expect(v.slot).toMatchObject({ phase: 'verify', verifyMismatches: 2, notBefore: 2200 });
    expect(items).toEqual([]);
    for (let i = 2; i < MAX_VERIFY_MISMATCHES; i++)
      handler.applyBatch([v], read(200, { isCloudManaged: false }), 0, 3000, 0);
    expect(v.slot.phase).toBe('final');
    expect(items.map((r) => [r.outcome, r.after, r.reason])).toEqual([
      ['unverified', false, 'The write was acknowledged but the read-back still shows the old state.'],
    ]);
  });

  it('a needed write keeps the state of the first read as "before"', () => {
    const { handler } = recordingHandler();
    const c: Member = { slot: slotOf({ before: true, uncertain: true }), kind: 'check' };
    handler.applyBatch([c], read(200, { isCloudManaged: false }), 0, 0, 0);
    expect(c.slot).toMatchObject({ phase: 'write', before: true, uncertain: false });
  });

  it('while cancelling, a needed write ends the object as cancelled and says that a resume finishes it', () => {
    const { handler, items } = recordingHandler({ cancelled: true });
    const c: Member = { slot: slotOf({ intentWritten: true, uncertain: true }), kind: 'check' };
    handler.applyBatch([c], read(200, { isCloudManaged: false }), 0, 0, 0);
    expect(items.map((r) => [r.outcome, r.reason])).toEqual([
      ['cancelled', 'Cancelled before the write (intent pending; a resume finishes it).'],
    ]);
    expect(c.slot.phase).toBe('final');
  });
});

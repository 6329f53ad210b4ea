import { describe, expect, it } from 'vitest';
import { MAX_VERIFY_MISMATCHES, readVerdict } from '../../../../../../../src-renderer/lib/soa/bulk/stages/verifier';
import { slotOf } from './slot-fixture';

const cloud = { isCloudManaged: true };
const onPrem = { isCloudManaged: false };

describe('verifier', () => {
  it('verifies a read-back that shows the target state', () => {
    expect(readVerdict(slotOf(), 'verify', 200, cloud)).toEqual({ verdict: 'verified', value: true });
  });

  it('never verifies a read-back that still shows the old state (gives up only after the last try)', () => {
    expect(readVerdict(slotOf(), 'verify', 200, onPrem)).toMatchObject({ verdict: 'mismatch', giveUp: false });
    const last = slotOf({ verifyMismatches: MAX_VERIFY_MISMATCHES - 1 });
    expect(readVerdict(last, 'verify', 200, onPrem)).toMatchObject({ verdict: 'mismatch', giveUp: true });
  });

  it('a re-check in the target state skips the write, unless an intent is durable (then it is verified)', () => {
    expect(readVerdict(slotOf(), 'check', 200, cloud)).toMatchObject({ verdict: 'skipped', value: true });
    expect(readVerdict(slotOf({ intentWritten: true }), 'check', 200, cloud)).toEqual({
      verdict: 'verified',
      value: true,
    });
    expect(readVerdict(slotOf(), 'check', 200, onPrem)).toEqual({ verdict: 'needsWrite', value: false });
  });

  it('the target comes from the action: a rollback is verified by false, not true', () => {
    const rollback = slotOf({ target: false }, { action: 'rollback' });
    expect(readVerdict(rollback, 'verify', 200, onPrem).verdict).toBe('verified');
    expect(readVerdict(rollback, 'verify', 200, cloud).verdict).toBe('mismatch');
  });

  it('an unreadable object is "unverified" when it may be written, "failed" only when nothing was written', () => {
    const body = { error: { code: 'Request_ResourceNotFound', message: 'gone' } };
    expect(readVerdict(slotOf(), 'check', 404, body)).toMatchObject({ verdict: 'unreadable', outcome: 'failed' });
    expect(readVerdict(slotOf({ uncertain: true }), 'check', 404, body)).toMatchObject({ outcome: 'unverified' });
    expect(readVerdict(slotOf(), 'verify', 403, body)).toMatchObject({
      outcome: 'unverified',
      reason: 'GET returned 403: Request_ResourceNotFound: gone',
    });
  });

  it('a body without isCloudManaged is a bad body (read again), never a state; the wrapped sample shape is read', () => {
    expect(readVerdict(slotOf(), 'verify', 200, {})).toMatchObject({ verdict: 'badBody' });
    expect(readVerdict(slotOf(), 'verify', 200, { isCloudManaged: null })).toMatchObject({ verdict: 'badBody' });
    expect(readVerdict(slotOf(), 'verify', 200, { value: cloud })).toEqual({ verdict: 'verified', value: true });
  });

  it('names a bad body as such', () => {
    expect(readVerdict(slotOf(), 'check', 200, {})).toEqual({
      verdict: 'badBody',
      reason: 'unexpected onPremisesSyncBehavior body',
    });
  });
});

/**
 * What a slot's result carries before its outcome is set: each optional field only when the slot knows it (a key
 * with `undefined` would reach the journal and the report as an empty field), and "failed" until the caller says.
 */
import { describe, expect, it } from 'vitest';
import { baseResult } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { ID, slotOf } from './slot-fixture';

describe('slot: the result fields it already knows', () => {
  it('a slot that knows everything: every field, outcome "failed" until set', () => {
    const slot = slotOf({ before: false, written: true, writeStatus: 204, requestId: 'req-1', attempts: 2 });
    expect(baseResult(slot)).toStrictEqual({
      opId: `run/contact/${ID}`,
      objectId: ID,
      objectType: 'contact',
      displayName: 'Contact 1',
      action: 'transfer',
      outcome: 'failed',
      before: false,
      written: true,
      fromJournal: false,
      writeStatus: 204,
      requestId: 'req-1',
      attempts: 2,
    });
  });

  it('a slot that knows nothing yet: no display name, before, status or request id keys at all', () => {
    const slot = slotOf({ requestId: '' }, { displayName: undefined, action: 'rollback' });
    expect(baseResult(slot)).toStrictEqual({
      opId: `run/contact/${ID}`,
      objectId: ID,
      objectType: 'contact',
      action: 'rollback',
      outcome: 'failed',
      written: false,
      fromJournal: false,
      attempts: 0,
    });
  });
});

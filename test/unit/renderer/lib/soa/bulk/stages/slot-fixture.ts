/** A slot as the plan reader makes it, with fields overridden per test. */
import type { Slot } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import type { BulkItem } from '../../../../../../../src-renderer/lib/soa/bulk/run-types';

export const ID = '00000000-0000-4000-8000-000000000001';

export function slotOf(over: Partial<Slot> = {}, item: Partial<BulkItem> = {}): Slot {
  const it: BulkItem = { objectId: ID, objectType: 'contact', displayName: 'Contact 1', action: 'transfer', ...item };
  return {
    item: it,
    opId: `run/${it.objectType}/${it.objectId}`,
    target: it.action === 'transfer',
    wave: it.wave ?? 0,
    phase: 'check',
    notBefore: 0,
    attempts: 0,
    throttles: 0,
    intentWritten: false,
    uncertain: false,
    inFlight: false,
    checkedAt: 0,
    verifyMismatches: 0,
    written: false,
    ...over,
  };
}

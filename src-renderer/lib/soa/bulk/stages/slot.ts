/**
 * One object's place in a bulk run: its phase (check → write → verify → final) and what is known
 * about it so far. Every stage reads and moves slots; only `SlotOutcomes` makes one final.
 */
import type { BulkItem, ItemResult } from '../run-types';

export type Phase = 'check' | 'write' | 'verify' | 'final';
/** The phase of a request that is sent (a final slot sends nothing). */
export type RequestKind = Exclude<Phase, 'final'>;

export interface Slot {
  item: BulkItem;
  opId: string;
  /** the isCloudManaged value the action aims at */
  target: boolean;
  wave: number;
  phase: Phase;
  /** not sent again before this time (ms epoch) */
  notBefore: number;
  attempts: number;
  throttles: number;
  intentWritten: boolean;
  /**
   * The re-check found the write needed and its intent is queued or being appended ahead of the write
   * (`RunJournalWriter.queueIntent`); the write is not sent until the intent is durable.
   */
  intentPending?: boolean;
  /** a write may have been applied without an answer */
  uncertain: boolean;
  inFlight: boolean;
  checkedAt: number;
  verifyMismatches: number;
  result?: ItemResult;
  before?: boolean;
  written: boolean;
  writeStatus?: number;
  requestId?: string;
}

/** One request of a batch: the slot it belongs to and what it does for it. */
export interface Member {
  slot: Slot;
  kind: RequestKind;
}

/** The result fields a slot already knows (outcome still to be set by the caller). */
export function baseResult(slot: Slot): ItemResult {
  return {
    opId: slot.opId,
    objectId: slot.item.objectId,
    objectType: slot.item.objectType,
    ...(slot.item.displayName !== undefined ? { displayName: slot.item.displayName } : {}),
    action: slot.item.action,
    outcome: 'failed',
    ...(slot.before !== undefined ? { before: slot.before } : {}),
    written: slot.written,
    fromJournal: false,
    ...(slot.writeStatus !== undefined ? { writeStatus: slot.writeStatus } : {}),
    ...(slot.requestId ? { requestId: slot.requestId } : {}),
    attempts: slot.attempts,
  };
}

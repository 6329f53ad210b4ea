/**
 * Stage 1, the plan reader: turns a plan's items into the run's slots, one per object, and restores
 * what the journal already holds for this run. An object with a result record is final (from the
 * journal); one with an intent but no result is "uncertain" and is re-read before anything else.
 */
import type { StoredJournalRecord } from '@contract';
import type { BulkObjectType } from '../object-types';
import type { JournalPort } from '../ports';
import type { BulkAction, BulkItem, ItemOutcome } from '../run-types';
import { baseResult, type Slot } from './slot';
import { TimeSlicer } from '../time-slice';

/** Journal op id of one object in one run (deterministic, so resume finds it). */
export function opIdFor(runId: string, objectType: BulkObjectType, objectId: string): string {
  return `${runId}/${objectType}/${objectId}`.slice(0, 100);
}

export function targetOf(action: BulkAction): boolean {
  return action === 'transfer';
}

type ResultRecord = StoredJournalRecord & { kind: 'result' };

function outcomeOf(record: ResultRecord): ItemOutcome {
  if (record.outcome === 'done') return record.verified ? 'verified' : 'unverified';
  return record.outcome === 'failed' ? 'failed' : 'unverified';
}

/**
 * The slots of a run: items de-duplicated by object, in plan order, with the journal's records applied. Made in
 * slices (a run of 50,000 objects must not freeze the UI as it starts).
 */
export async function restoreSlots(
  runId: string,
  items: readonly BulkItem[],
  records: readonly StoredJournalRecord[],
  slicer: TimeSlicer = new TimeSlicer(),
): Promise<Slot[]> {
  const intents = new Set<string>();
  const results = new Map<string, ResultRecord>();
  for (const r of records) {
    if (slicer.due()) await slicer.yieldNow();
    if (r.kind === 'intent') intents.add(r.opId);
    else if (r.kind === 'result') results.set(r.opId, r);
  }
  const seen = new Set<string>();
  const slots: Slot[] = [];
  for (const item of items) {
    if (slicer.due()) await slicer.yieldNow();
    const opId = opIdFor(runId, item.objectType, item.objectId);
    if (seen.has(opId)) continue; // de-duplicate by object id
    seen.add(opId);
    const slot: Slot = {
      item,
      opId,
      target: targetOf(item.action),
      wave: item.wave ?? 0,
      phase: 'check',
      notBefore: 0,
      attempts: 0,
      throttles: 0,
      intentWritten: intents.has(opId),
      uncertain: intents.has(opId),
      inFlight: false,
      checkedAt: 0,
      verifyMismatches: 0,
      written: false,
    };
    const prior = results.get(opId);
    if (prior) {
      slot.phase = 'final';
      slot.result = {
        ...baseResult(slot),
        outcome: outcomeOf(prior),
        fromJournal: true,
        writeStatus: prior.status,
        requestId: prior.requestId,
        reason: prior.reason,
        finishedAt: prior.at,
      };
    }
    slots.push(slot);
  }
  return slots;
}

/** Read the run's journal records and restore its slots. */
export async function readPlanSlots(runId: string, items: readonly BulkItem[], journal: JournalPort): Promise<Slot[]> {
  return restoreSlots(runId, items, await journal.readRun(runId));
}

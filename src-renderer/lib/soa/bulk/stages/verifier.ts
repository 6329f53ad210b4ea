/**
 * Stage 4, the verifier: decides what a read of onPremisesSyncBehavior (the re-check before a write,
 * or the read-back after it) says about one object. It only decides; the response handler applies
 * the verdict. An object is "verified" only when a read shows the target state after a write (or a
 * durable intent); a read that cannot be taken leaves a written or uncertain object "unverified".
 */
import { errorMessage, parseIsCloudManaged } from '../graph-bodies';
import type { Slot } from './slot';

/** Read-backs that still show the old state before a written object is given up as unverified. */
export const MAX_VERIFY_MISMATCHES = 3;

export type ReadKind = 'check' | 'verify';

export type ReadVerdict =
  /** the GET failed with a final status: nothing more can be learned by reading again */
  | { verdict: 'unreadable'; outcome: 'failed' | 'unverified'; reason: string }
  /** the body did not hold isCloudManaged: a transient failure, read again */
  | { verdict: 'badBody'; reason: string }
  /** the read shows the target state after a write (or a durable intent) */
  | { verdict: 'verified'; value: boolean }
  /** the re-check shows the target state and nothing was written */
  | { verdict: 'skipped'; value: boolean; reason: string }
  /** the read-back still shows the old state: read again later (`giveUp` after the last try) */
  | { verdict: 'mismatch'; value: boolean; giveUp: boolean; reason: string }
  /** the re-check shows the old state: the write is needed */
  | { verdict: 'needsWrite'; value: boolean };

/** What one GET answer (status and body) says about this slot's object. */
export function readVerdict(
  slot: Pick<Slot, 'target' | 'uncertain' | 'intentWritten' | 'verifyMismatches'>,
  kind: ReadKind,
  status: number,
  body: unknown,
): ReadVerdict {
  if (status !== 200) {
    return {
      verdict: 'unreadable',
      outcome: slot.uncertain || kind === 'verify' ? 'unverified' : 'failed',
      reason: `GET returned ${status}: ${errorMessage(body) ?? 'no error body'}`,
    };
  }
  const value = parseIsCloudManaged(body);
  if (value === undefined) return { verdict: 'badBody', reason: 'unexpected onPremisesSyncBehavior body' };
  if (value === slot.target) {
    if (kind === 'verify' || slot.intentWritten) return { verdict: 'verified', value };
    return { verdict: 'skipped', value, reason: 'Already in the target state at the re-check; nothing written.' };
  }
  if (kind === 'verify') {
    return {
      verdict: 'mismatch',
      value,
      giveUp: slot.verifyMismatches + 1 >= MAX_VERIFY_MISMATCHES,
      reason: 'The write was acknowledged but the read-back still shows the old state.',
    };
  }
  return { verdict: 'needsWrite', value };
}

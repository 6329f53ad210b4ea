/**
 * The response handler: applies one batch's answer to its slots. It routes each inner response —
 * throttle signals to the pacer, 429s and transient failures to the retry policy, a write's
 * acknowledgement to "verify", a read to the verifier — and adapts the batch concurrency.
 */
import { errorMessage, header, retryAfterHeaderMs, throttlePercentage, type BatchInnerResponse } from '../graph-bodies';
import type { WritePacer } from '../pacer';
import type { BatchConcurrency } from './scheduler';
import { responseOf, type BatchOutcome } from './sender';
import type { Member } from './slot';
import type { SlotOutcomes } from './slot-outcomes';
import { readVerdict } from './verifier';

/** The pacer signals the response handler sends (a `WritePacer` gives them all). */
export type PacerSignals = Pick<WritePacer, 'observePercentage' | 'throttled' | 'recovered' | 'accepted'>;

export interface ResponseHandlerOptions {
  outcomes: SlotOutcomes;
  pacer: PacerSignals;
  concurrency: BatchConcurrency;
  /** true once the run is being cancelled: a re-check that finds a write needed ends the object instead */
  cancelled: () => boolean;
}

export class ResponseHandler {
  constructor(private readonly o: ResponseHandlerOptions) {}

  /**
   * Apply a batch's outcome to its members. `sentAt` is when the batch was sent, `now` when its
   * answer arrived; `writes` is how many of its members are writes. Returns why the run must wait
   * for a new sign-in, when it must (no token, or Graph refused the token after a refresh).
   */
  applyBatch(
    members: readonly Member[],
    outcome: BatchOutcome,
    sentAt: number,
    now: number,
    writes: number,
  ): { signIn: string } | undefined {
    const { pacer, concurrency, outcomes } = this.o;
    if (!outcome.ok && 'signIn' in outcome) {
      // the port throws a token refusal only before the batch leaves the process
      for (const m of members) outcomes.awaitSignIn(m.slot, m.kind, false);
      return { signIn: outcome.reason };
    }
    if (outcome.ok) {
      let signIn: { signIn: string } | undefined;
      let failures = 0;
      let writeThrottled = false;
      members.forEach((m, i) => {
        const r = responseOf(outcome, i);
        if (!r || r.status >= 500 || r.status === 429) failures++;
        if (r?.status === 429 && m.kind === 'write') writeThrottled = true;
        if (r?.status === 401 && m.slot.phase !== 'final') {
          // refused even after the port's forced refresh: not processed (docs/reference/token-lifetime.md)
          outcomes.awaitSignIn(m.slot, m.kind, false);
          signIn ??= { signIn: `Microsoft Graph refused the token: ${errorMessage(r.body) ?? 'HTTP 401'}` };
          return;
        }
        this.applyInner(m, r, now);
      });
      // An outer 424 says inner requests were throttled. When no write's own 429 (with its Retry-After) is in the
      // body, the pacer still slows down, with its backoff. A limit percentage alone is no throttle: the pacer
      // already climbs only slowly while one is reported.
      if (outcome.outerStatus === 424 && writes > 0 && !writeThrottled) pacer.throttled(undefined, now);
      else if (writes > 0 && !writeThrottled && outcome.outerStatus === undefined) pacer.recovered(now);
      concurrency.answered(failures / members.length, now - sentAt);
      return signIn;
    }
    concurrency.failed();
    // A whole-batch 429 (or a 424 without readable answers): in the renderer its Retry-After is not readable
    // (docs/reference/graph-and-identity.md#cors), so the pacer's jittered backoff decides the wait.
    const throttled = outcome.status === 429 || outcome.status === 424;
    const wait = throttled && writes > 0 ? pacer.throttled(outcome.retryAfter, now) : undefined;
    for (const m of members) {
      const delay = wait ?? outcome.retryAfter ?? outcomes.throttleBackoff(Math.min(4, m.slot.throttles + 1));
      // 429: nothing of the batch was processed; 424 without answers: a write's fate is unknown (re-check first)
      if (outcome.status === 429) outcomes.throttled(m.slot, m.kind, delay, now);
      else if (outcome.status === 424) outcomes.transient(m.slot, m.kind, outcome.reason, now, delay);
      else outcomes.transient(m.slot, m.kind, outcome.reason, now, outcome.retryAfter);
    }
    return undefined;
  }

  /** Apply one member's inner response (undefined: the batch answer did not hold it). */
  applyInner(m: Member, r: BatchInnerResponse | undefined, now: number): void {
    const { slot, kind } = m;
    const { outcomes, pacer } = this.o;
    if (slot.phase === 'final') return;
    if (!r) return outcomes.transient(slot, kind, 'no response for this request in the batch', now);
    const pct = throttlePercentage(r.headers);
    if (pct !== undefined) pacer.observePercentage(pct, now);
    if (r.status === 429) {
      // inner headers travel in the JSON body, so Retry-After is readable here even in the renderer; without it a
      // write waits the pacer's backoff (every write does), a read the same throttle backoff (≥ 5 s)
      const ra = retryAfterHeaderMs(r.headers, now);
      // (a read's exponent stops at the fourth step, 40–60 s: its earlier throttles may have had a Retry-After)
      const wait =
        kind === 'write' ? pacer.throttled(ra, now) : (ra ?? outcomes.throttleBackoff(Math.min(4, slot.throttles + 1)));
      return outcomes.throttled(slot, kind, wait, now);
    }
    if (r.status >= 500 || r.status === 424 || r.status === 408) {
      const reason = `HTTP ${r.status} ${errorMessage(r.body) ?? ''}`.trim();
      return outcomes.transient(slot, kind, reason, now, retryAfterHeaderMs(r.headers, now));
    }
    if (kind === 'write') {
      if (r.status >= 200 && r.status < 300) {
        pacer.accepted();
        slot.written = true;
        slot.writeStatus = r.status;
        const rid = header(r.headers, 'request-id') ?? header(r.headers, 'client-request-id');
        if (rid) slot.requestId = rid;
        slot.phase = 'verify';
        slot.notBefore = 0;
        return;
      }
      slot.writeStatus = r.status;
      return outcomes.finalize(slot, 'failed', {
        reason: `PATCH returned ${r.status}: ${errorMessage(r.body) ?? 'no error body'}`,
      });
    }
    // check or verify (GET): the verifier decides
    const v = readVerdict(slot, kind, r.status, r.body);
    switch (v.verdict) {
      case 'unreadable':
        return outcomes.finalize(slot, v.outcome, { reason: v.reason });
      case 'badBody':
        return outcomes.transient(slot, kind, v.reason, now);
      default:
        break;
    }
    slot.checkedAt = now;
    switch (v.verdict) {
      case 'verified':
        return outcomes.finalize(slot, 'verified', { after: v.value });
      case 'skipped':
        slot.before = v.value;
        return outcomes.finalize(slot, 'skipped', { after: v.value, reason: v.reason });
      case 'mismatch':
        slot.verifyMismatches++;
        if (v.giveUp) return outcomes.finalize(slot, 'unverified', { after: v.value, reason: v.reason });
        slot.notBefore = now + outcomes.backoff(slot.verifyMismatches);
        return;
      case 'needsWrite':
        if (slot.before === undefined) slot.before = v.value;
        slot.uncertain = false;
        if (this.o.cancelled()) {
          return outcomes.finalize(slot, 'cancelled', {
            reason: 'Cancelled before the write (intent pending; a resume finishes it).',
          });
        }
        slot.phase = 'write';
        slot.notBefore = 0;
        return;
    }
  }
}

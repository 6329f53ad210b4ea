/**
 * Stage 2, the scheduler: picks the members of the next batch and says when to look again. It asks
 * the write pacer (`../pacer.ts`) how many writes may go now; the pacer alone decides the write rate.
 * Order inside a batch: read-backs first, then paced writes, then re-checks (uncertain objects
 * first), with a short look-ahead of checked-but-unwritten objects. Only the lowest unfinished wave
 * is scheduled.
 */
import type { WritePacer } from '../pacer';
import { MAX_BATCH } from './sender';
import type { Member, Slot } from './slot';

/** What the scheduler asks of the write pacer (a `WritePacer` gives it all). */
export type PacerGate = Pick<WritePacer, 'available' | 'take' | 'nextAt' | 'rate'>;

export class BatchScheduler {
  constructor(
    private readonly slots: readonly Slot[],
    private readonly pacer: PacerGate,
    /** Re-check before writing when the last read is older than this. */
    private readonly staleCheckMs: number,
  ) {}

  /** The lowest wave with an unfinished object, or Infinity when every object is final. */
  currentWave(): number {
    let w = Infinity;
    for (const s of this.slots) if (s.phase !== 'final' && s.wave < w) w = s.wave;
    return w;
  }

  /** Checked objects waiting for their write, and how many of them the scheduler lets wait. */
  private lookahead(): { waiting: number; limit: number } {
    let waiting = 0;
    for (const s of this.slots) if (s.phase === 'write' && !s.inFlight) waiting++;
    return { waiting, limit: Math.max(MAX_BATCH * 2, Math.ceil(this.pacer.rate * 2)) };
  }

  /** The members of the next batch (≤ 20) of this wave; empty when nothing is due. */
  build(now: number, wave: number, cancelling: boolean): Member[] {
    const members: Member[] = [];
    const eligible = (s: Slot): boolean => !s.inFlight && s.phase !== 'final' && s.wave === wave && s.notBefore <= now;
    // 1. verifies
    for (const s of this.slots) {
      if (members.length >= MAX_BATCH) break;
      if (s.phase === 'verify' && eligible(s)) members.push({ slot: s, kind: 'verify' });
    }
    // 2. writes, paced
    if (!cancelling) {
      let budget = Math.min(MAX_BATCH - members.length, this.pacer.available(now));
      for (const s of this.slots) {
        if (budget <= 0 || members.length >= MAX_BATCH) break;
        if (s.phase === 'write' && eligible(s)) {
          if (now - s.checkedAt > this.staleCheckMs) {
            s.phase = 'check'; // the re-check is too old: read again just before writing
            continue;
          }
          members.push({ slot: s, kind: 'write' });
          budget--;
        }
      }
    }
    // 3. checks: uncertain ones first; keep the look-ahead of checked-but-unwritten objects short
    const ahead = this.lookahead();
    let waiting = ahead.waiting;
    for (const pass of [true, false]) {
      for (const s of this.slots) {
        if (members.length >= MAX_BATCH || waiting >= ahead.limit) break;
        if (s.phase === 'check' && s.uncertain === pass && eligible(s)) {
          if (cancelling && !s.intentWritten) continue;
          members.push({ slot: s, kind: 'check' });
          waiting++;
        }
      }
    }
    return members;
  }

  /** Build the next batch and claim it: its slots are in flight and its writes take pacer tokens. */
  claim(now: number, wave: number, cancelling: boolean): Member[] {
    const members = this.build(now, wave, cancelling);
    for (const m of members) m.slot.inFlight = true;
    const writes = members.filter((m) => m.kind === 'write').length;
    if (writes > 0) this.pacer.take(writes, now);
    return members;
  }

  /** The batch's answer was applied: its slots may be scheduled again. */
  release(members: readonly Member[]): void {
    for (const m of members) m.slot.inFlight = false;
  }

  /** When something of this wave may next be due (at most 1 s ahead). */
  wakeAt(now: number, wave: number, cancelled: boolean): number {
    let wake = now + 1000;
    const { waiting, limit } = this.lookahead();
    for (const s of this.slots) {
      if (s.phase === 'final' || s.inFlight || s.wave !== wave) continue;
      let t = s.notBefore;
      if (s.phase === 'write') {
        if (cancelled) continue;
        t = Math.max(t, this.pacer.nextAt(now));
      } else if (s.phase === 'check') {
        if (cancelled && !s.intentWritten) continue;
        if (waiting >= limit) continue;
      }
      if (t < wake) wake = t;
    }
    return wake;
  }
}

/**
 * How many batches may be in flight at once: one more after each quick, healthy batch (up to the
 * maximum), half after a batch that failed as a whole or in a large share (≥ 25 %) of its requests.
 */
export class BatchConcurrency {
  readonly max: number;
  private current: number;

  constructor(options: { initial?: number; max?: number } = {}) {
    this.max = Math.max(1, options.max ?? 8);
    this.current = Math.min(this.max, Math.max(1, options.initial ?? 2));
  }

  get value(): number {
    return this.current;
  }

  /** The batch was answered; `failureShare` of its requests failed (5xx, 429, missing); it took `elapsedMs`. */
  answered(failureShare: number, elapsedMs: number): void {
    // a few inner 5xx are normal; back off concurrency only when a large share of the batch failed
    if (failureShare >= 0.25) this.failed();
    else if (this.current < this.max && elapsedMs < 5_000) this.current++;
  }

  /** The batch failed as a whole (or a large share of it). */
  failed(): void {
    this.current = Math.max(1, Math.floor(this.current / 2));
  }
}

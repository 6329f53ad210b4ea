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
  /** every slot before this index is final (a final slot never changes again) */
  private head = 0;
  /**
   * every slot from this index on is as the plan reader made it and never claimed: final, or a check due
   * now (not uncertain, not in flight). The scans for read-backs, writes and the look-ahead stop here, so a
   * batch costs the objects in progress, not the whole run (at tens of thousands of objects).
   */
  private reach = 0;
  /** no slot has a lower wave */
  private readonly lowestWave: number;

  constructor(
    private readonly slots: readonly Slot[],
    private readonly pacer: PacerGate,
    /** Re-check before writing when the last read is older than this. */
    private readonly staleCheckMs: number,
  ) {
    let low = Infinity;
    slots.forEach((s, i) => {
      if (s.wave < low) low = s.wave;
      if (!untouched(s)) this.reach = i + 1;
    });
    this.lowestWave = low;
  }

  /** Move `head` past the final slots at the start. */
  private skipFinal(): number {
    while (this.head < this.slots.length && this.slots[this.head]?.phase === 'final') this.head++;
    return this.head;
  }

  /**
   * The slots that may be in progress: from the first unfinished one to the last one ever claimed (every slot
   * after them is untouched: final, or a check nobody claimed yet).
   */
  *started(): Generator<Slot> {
    for (let i = this.skipFinal(); i < this.reach; i++) yield this.slots[i] as Slot;
  }

  /** The lowest wave with an unfinished object, or Infinity when every object is final. */
  currentWave(): number {
    let w = Infinity;
    for (let i = this.skipFinal(); i < this.slots.length; i++) {
      const s = this.slots[i] as Slot;
      if (s.phase !== 'final' && s.wave < w) {
        w = s.wave;
        if (w <= this.lowestWave) break;
      }
    }
    return w;
  }

  /** Checked objects waiting for their write, and how many of them the scheduler lets wait. */
  private lookahead(): { waiting: number; limit: number } {
    let waiting = 0;
    for (let i = this.skipFinal(); i < this.reach; i++) {
      const s = this.slots[i] as Slot;
      if (s.phase === 'write' && !s.inFlight) waiting++;
    }
    return { waiting, limit: Math.max(MAX_BATCH * 2, Math.ceil(this.pacer.rate * 2)) };
  }

  /** The members of the next batch (≤ 20) of this wave; empty when nothing is due. */
  build(now: number, wave: number, cancelling: boolean): Member[] {
    const members: Member[] = [];
    const eligible = (s: Slot): boolean => !s.inFlight && s.phase !== 'final' && s.wave === wave && s.notBefore <= now;
    const from = this.skipFinal();
    const reach = this.reach;
    // 1. verifies
    for (let i = from; i < reach && members.length < MAX_BATCH; i++) {
      const s = this.slots[i] as Slot;
      if (s.phase === 'verify' && eligible(s)) members.push({ slot: s, kind: 'verify' });
    }
    // 2. writes, paced
    if (!cancelling) {
      let budget = Math.min(MAX_BATCH - members.length, this.pacer.available(now));
      for (let i = from; i < reach; i++) {
        if (budget <= 0 || members.length >= MAX_BATCH) break;
        const s = this.slots[i] as Slot;
        // a write whose intent is still being appended waits for it (and is not re-checked meanwhile)
        if (s.phase === 'write' && eligible(s) && !s.intentPending) {
          if (now - s.checkedAt > this.staleCheckMs) {
            s.phase = 'check'; // the re-check is too old: read again just before writing
            continue;
          }
          members.push({ slot: s, kind: 'write' });
          budget--;
        }
      }
    }
    // 3. checks: uncertain ones first (all before `reach`); keep the look-ahead of checked-but-unwritten
    // objects short
    const ahead = this.lookahead();
    let waiting = ahead.waiting;
    for (const pass of [true, false]) {
      const end = pass ? reach : this.slots.length;
      for (let i = from; i < end; i++) {
        if (members.length >= MAX_BATCH || waiting >= ahead.limit) break;
        const s = this.slots[i] as Slot;
        if (s.phase === 'check' && s.uncertain === pass && eligible(s)) {
          if (cancelling && !s.intentWritten) continue;
          members.push({ slot: s, kind: 'check' });
          waiting++;
          if (i >= this.reach) this.reach = i + 1;
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
    const consider = (s: Slot): void => {
      if (s.phase === 'final' || s.inFlight || s.wave !== wave) return;
      let t = s.notBefore;
      if (s.phase === 'write') {
        // cancelled, or its intent is still being appended (its durability wakes the run)
        if (cancelled || s.intentPending) return;
        t = Math.max(t, this.pacer.nextAt(now));
      } else if (s.phase === 'check') {
        if (cancelled && !s.intentWritten) return;
        if (waiting >= limit) return;
      }
      if (t < wake) wake = t;
    };
    for (let i = this.skipFinal(); i < this.reach; i++) consider(this.slots[i] as Slot);
    // the untouched slots are checks due now: the first one of this wave decides for all of them
    if (!cancelled && waiting < limit)
      for (let i = Math.max(this.head, this.reach); i < this.slots.length; i++) {
        const s = this.slots[i] as Slot;
        if (s.phase !== 'final' && s.wave === wave) {
          consider(s);
          break;
        }
      }
    return wake;
  }
}

/** As the plan reader makes a slot that is not resumed: final, or a check due now that nobody claimed. */
function untouched(s: Slot): boolean {
  return (
    s.phase === 'final' || (s.phase === 'check' && s.notBefore === 0 && !s.uncertain && !s.inFlight && !s.intentWritten)
  );
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

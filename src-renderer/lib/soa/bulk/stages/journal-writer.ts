/**
 * Stage 5, the journal writer: the run's only writer to the journal. An intent is appended (and
 * fsynced by the port) before the batch that carries its write is sent: ahead, in the background, as
 * soon as the re-check finds the write needed (`queueIntent`), so that batch does not wait for the
 * journal. Results are queued when an object becomes final and appended in the background after each
 * batch (the batch's slot does not wait). Intents and results go in two separate chains, one append at
 * a time each, so a slow result append never holds a write back. A record the journal refuses (it
 * carries a credential) fails only its own object; any other journal failure stops the run.
 */
import type { JournalRecordInput } from '@contract';
import { syncBehaviorPatchUrl } from '../object-types';
import { journalRefusalOf, type JournalPort } from '../ports';
import type { ItemOutcome, ItemResult } from '../run-types';
import type { Slot } from './slot';

/** The intent record of a slot's write (what will be sent, and the state read just before). */
export function intentRecord(runId: string, slot: Slot): JournalRecordInput {
  const it = slot.item;
  return {
    kind: 'intent',
    opId: slot.opId,
    runId,
    objectType: it.objectType,
    objectId: it.objectId,
    ...(it.displayName !== undefined ? { displayName: it.displayName.slice(0, 512) } : {}),
    action: it.action,
    ...(slot.before !== undefined ? { before: { isCloudManaged: slot.before } } : {}),
    request: {
      method: 'PATCH',
      url: syncBehaviorPatchUrl(it.objectType, it.objectId),
      body: { isCloudManaged: slot.target },
    },
  };
}

/** The result record that closes a slot's intent (its final outcome, status and read-back). */
export function resultRecord(slot: Slot, outcome: ItemOutcome, extra: Partial<ItemResult>): JournalRecordInput {
  return {
    kind: 'result',
    opId: slot.opId,
    outcome: outcome === 'verified' ? 'done' : outcome === 'failed' ? 'failed' : 'unknown',
    verified: outcome === 'verified',
    ...(slot.requestId ? { requestId: slot.requestId } : {}),
    ...(slot.writeStatus !== undefined ? { status: slot.writeStatus } : {}),
    ...(extra.after !== undefined ? { after: { isCloudManaged: extra.after } } : {}),
    ...(extra.reason ? { reason: extra.reason.slice(0, 2000) } : {}),
  };
}

/** What the run learns from the intents appended ahead. */
export interface IntentAheadHooks {
  /** the journal refused this slot's intent (it carries a credential): the object fails, unwritten */
  refused(slot: Slot, why: string): void;
  /** intents became durable (or the append failed): their writes may be scheduled, or the run stops */
  settled(): void;
}

export class RunJournalWriter {
  private readonly pending: JournalRecordInput[] = [];
  private flushing: Promise<void> | undefined;
  private readonly ahead: Slot[] = [];
  private intentsFlushing: Promise<void> | undefined;
  private failed: unknown = undefined;

  constructor(
    private readonly port: JournalPort,
    private readonly runId: string,
    private readonly hooks: IntentAheadHooks = { refused: () => undefined, settled: () => undefined },
  ) {}

  /**
   * Queue the intent of a slot whose re-check found the write needed, to be appended ahead by the next
   * `startFlush()`. Until it is durable the slot is `intentPending` and its write is not sent; an intent already
   * durable or queued is not queued again.
   */
  queueIntent(slot: Slot): void {
    if (slot.intentWritten || slot.intentPending) return;
    slot.intentPending = true;
    this.ahead.push(slot);
  }

  /** Results queued and not yet appended. */
  get pendingResults(): number {
    return this.pending.length;
  }

  /** Queue the result of a slot that became final (only a slot with a durable intent has one; a cancel has none). */
  queueResult(slot: Slot, outcome: ItemOutcome, extra: Partial<ItemResult>): void {
    if (slot.intentWritten && outcome !== 'cancelled') this.pending.push(resultRecord(slot, outcome, extra));
  }

  /**
   * Start appending the queued results without waiting for them: a batch's slot is free for the next batch while
   * its results are made durable, and results queued meanwhile go with the next append (one append at a time).
   * A result that is not yet durable costs nothing but a re-read on resume: its intent is still pending. A failure
   * is kept in `failure` (the run stops on it) and thrown by the next `flushResults()`.
   */
  startFlush(): void {
    this.startIntentFlush();
    if (this.flushing || this.failed !== undefined || this.pending.length === 0) return;
    this.flushing = (async () => {
      try {
        while (this.pending.length > 0) await this.appendRefusable(this.pending.splice(0, this.pending.length));
      } catch (e) {
        this.failed = e;
      } finally {
        this.flushing = undefined;
      }
    })();
  }

  /**
   * Append the queued intents in the background, one append at a time (intents queued meanwhile go with the next).
   * Each slot is marked durable after its append resolved; a refused one goes to `hooks.refused`; then
   * `hooks.settled()` lets the run schedule the writes. A failure is kept in `failure` (the run stops on it); its
   * slots stay `intentPending`, so their writes are never sent.
   */
  private startIntentFlush(): void {
    if (this.intentsFlushing || this.failed !== undefined || this.ahead.length === 0) return;
    this.intentsFlushing = (async () => {
      try {
        while (this.ahead.length > 0) {
          const slots = this.ahead.splice(0, this.ahead.length);
          const refused = await this.appendRefusable(slots.map((s) => intentRecord(this.runId, s)));
          for (const s of slots) {
            s.intentPending = false;
            const why = refused.get(s.opId);
            if (why === undefined) s.intentWritten = true;
            else this.hooks.refused(s, why);
          }
          this.hooks.settled();
        }
      } catch (e) {
        this.failed = e;
        this.hooks.settled();
      } finally {
        this.intentsFlushing = undefined;
      }
    })();
  }

  /**
   * Resolves when no append of this writer is in progress (never rejects): a run that stops returns only then, so a
   * resume that reads the journal right after sees every record this run appended.
   */
  async idle(): Promise<void> {
    while (this.flushing || this.intentsFlushing) await (this.flushing ?? this.intentsFlushing);
  }

  /** What stopped a background flush (undefined while all is well). */
  get failure(): unknown {
    return this.failed;
  }

  /**
   * Append every queued result and resolve when they are durable (waits for a background flush first). A refused
   * result leaves its intent pending (re-verified later); it never stops the run.
   */
  async flushResults(): Promise<void> {
    await this.idle();
    if (this.failed !== undefined) throw this.failed;
    if (this.pending.length === 0) return;
    await this.appendRefusable(this.pending.splice(0, this.pending.length));
  }

  private async appendRefusable(records: JournalRecordInput[]): Promise<Map<string, string>> {
    try {
      await this.port.append(records);
      return new Map();
    } catch (e) {
      const refusal = journalRefusalOf(e);
      if (!refusal) throw e;
      return new Map(refusal.refused.map((r) => [r.opId, r.message]));
    }
  }
}

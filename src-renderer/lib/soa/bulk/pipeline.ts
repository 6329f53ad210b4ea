/**
 * The bulk execution pipeline: runs exactly a saved plan's writes through JSON `$batch`.
 *
 * Per object: check (GET state, just before the write) → write (PATCH onPremisesSyncBehavior)
 * → verify (GET read-back). Requests for different objects share batches of ≤ 20 (no dependsOn;
 * batches are fully parallel). The intent of every write is journaled and fsynced before the batch
 * that carries the write is sent, and the final record is journaled after the read-back.
 *
 * Safety rules (no object written twice, none left without a final record):
 * - a write whose outcome is uncertain (5xx, dropped connection, lost response) is never retried
 *   blindly: the object goes back to "check", and a read decides whether the write is still needed;
 * - an inner 429 is certain "not applied": the write is re-queued after Retry-After;
 * - on resume, a journaled intent without a result is "uncertain" and is re-read first;
 * - an object stays "unverified" until a read shows the target state.
 */
import type { JournalRecordInput, StoredJournalRecord } from '@contract';
import type { BatchRequest, Clock, GraphBatchPort, JournalPort } from './ports';
import { journalRefusalOf, systemClock } from './ports';
import {
  batchResponseBody,
  errorMessage,
  header,
  parseIsCloudManaged,
  retryAfterHeaderMs,
  throttlePercentage,
  type BatchInnerResponse,
} from './graph-bodies';
import { scopesFor, syncBehaviorPatchUrl, syncBehaviorUrl, type BulkObjectType } from './object-types';
import { DOCUMENTED_LIMITS, WritePacer, type WriteLimits } from './pacer';

export type BulkAction = 'transfer' | 'rollback';

export interface BulkItem {
  objectId: string;
  objectType: BulkObjectType;
  displayName?: string;
  action: BulkAction;
  /** Execution wave (group nesting order); every object of a wave is final before the next starts. */
  wave?: number;
}

export type ItemOutcome =
  /** written (now or by an earlier attempt of this run) and read back in the target state */
  | 'verified'
  /** already in the target state at the re-check; nothing written */
  | 'skipped'
  | 'failed'
  /** written (or possibly written) but no read confirmed it */
  | 'unverified'
  /** not finished because the run was cancelled (an intent may be pending for resume) */
  | 'cancelled';

export interface ItemResult {
  opId: string;
  objectId: string;
  objectType: BulkObjectType;
  displayName?: string;
  action: BulkAction;
  outcome: ItemOutcome;
  /** isCloudManaged before the write (from the re-check) and after (from the read-back). */
  before?: boolean;
  after?: boolean;
  /** true when this process sent the PATCH that was acknowledged */
  written: boolean;
  /** true when the final record came from an earlier process (resume) */
  fromJournal: boolean;
  writeStatus?: number;
  requestId?: string;
  attempts: number;
  reason?: string;
  finishedAt?: string;
}

export interface RunProgress {
  runId: string;
  total: number;
  /** objects with a final outcome (verified + skipped + failed + unverified) */
  done: number;
  verified: number;
  skipped: number;
  failed: number;
  /** written (or uncertain) and not yet read back */
  unverified: number;
  remaining: number;
  writesSent: number;
  throttled: number;
  retries: number;
  /** final objects per second over the last 10 s */
  ratePerSecond: number;
  etaSeconds: number | null;
  concurrency: number;
  writeRate: number;
  state: 'running' | 'paused' | 'cancelling' | 'finished' | 'cancelled';
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  cancelled: boolean;
  items: ItemResult[];
  progress: RunProgress;
}

/** Pause and cancel take effect at batch boundaries (in-flight batches always complete). */
export class RunControl {
  private pausedFlag = false;
  private cancelledFlag = false;
  private listeners = new Set<() => void>();

  get paused(): boolean {
    return this.pausedFlag;
  }
  get cancelled(): boolean {
    return this.cancelledFlag;
  }
  pause(): void {
    this.pausedFlag = true;
    this.notify();
  }
  resume(): void {
    this.pausedFlag = false;
    this.notify();
  }
  cancel(): void {
    this.cancelledFlag = true;
    this.notify();
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private notify(): void {
    for (const l of this.listeners) l();
  }
}

export interface RetryPolicy {
  /** First backoff for 5xx / network errors without Retry-After. */
  baseMs: number;
  maxMs: number;
  /** Transient failures per object before it is given up (failed / unverified). */
  maxAttempts: number;
  /** 429s per object before it is given up. */
  maxThrottled: number;
  /**
   * After a write with an unknown outcome (5xx, dropped connection, lost response), wait at least
   * this long before the re-check read, so a request still being processed is not raced.
   */
  uncertainSettleMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  baseMs: 1000,
  maxMs: 30_000,
  maxAttempts: 10,
  maxThrottled: 60,
  uncertainSettleMs: 2000,
};

export interface RunOptions {
  runId: string;
  items: BulkItem[];
  graph: GraphBatchPort;
  journal: JournalPort;
  clock?: Clock;
  limits?: Partial<WriteLimits>;
  retry?: Partial<RetryPolicy>;
  concurrency?: { initial?: number; max?: number };
  /** Re-check before writing when the last read is older than this. */
  staleCheckMs?: number;
  control?: RunControl;
  onProgress?: (progress: RunProgress) => void;
  onItem?: (result: ItemResult) => void;
  /** Random source for backoff jitter (tests may fix it). */
  random?: () => number;
}

type Phase = 'check' | 'write' | 'verify' | 'final';

interface Slot {
  item: BulkItem;
  opId: string;
  target: boolean;
  wave: number;
  phase: Phase;
  notBefore: number;
  attempts: number;
  throttles: number;
  intentWritten: boolean;
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

const MAX_BATCH = 20;

/** Journal op id of one object in one run (deterministic, so resume finds it). */
export function opIdFor(runId: string, objectType: BulkObjectType, objectId: string): string {
  return `${runId}/${objectType}/${objectId}`.slice(0, 100);
}

export function targetOf(action: BulkAction): boolean {
  return action === 'transfer';
}

/** Run (or resume) a bulk run. Resolves when every object is final or the run was cancelled. */
export async function runBulk(options: RunOptions): Promise<RunSummary> {
  if (options.runId.length === 0 || options.runId.length > 60) throw new Error('runId must be 1–60 characters');
  const clock = options.clock ?? systemClock;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const limits: WriteLimits = { ...DOCUMENTED_LIMITS, ...options.limits };
  const random = options.random ?? Math.random;
  const control = options.control ?? new RunControl();
  const staleCheckMs = options.staleCheckMs ?? 15_000;
  const maxConcurrency = Math.max(1, options.concurrency?.max ?? 8);
  let concurrency = Math.min(maxConcurrency, Math.max(1, options.concurrency?.initial ?? 2));
  const startedAt = new Date(clock.now()).toISOString();
  const pacer = new WritePacer(limits, clock.now());
  const counters = { writesSent: 0, throttled: 0, retries: 0 };

  // ---- slots, restored from the journal -------------------------------------------------------
  const journalRecords = await options.journal.readRun(options.runId);
  const intents = new Map<string, StoredJournalRecord & { kind: 'intent' }>();
  const results = new Map<string, StoredJournalRecord & { kind: 'result' }>();
  for (const r of journalRecords) {
    if (r.kind === 'intent') intents.set(r.opId, r);
    else results.set(r.opId, r);
  }
  const seen = new Set<string>();
  const slots: Slot[] = [];
  for (const item of options.items) {
    const opId = opIdFor(options.runId, item.objectType, item.objectId);
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
    if (prior && prior.kind === 'result') {
      slot.phase = 'final';
      slot.result = {
        ...baseResult(slot),
        outcome:
          prior.outcome === 'done'
            ? prior.verified
              ? 'verified'
              : 'unverified'
            : prior.outcome === 'failed'
              ? 'failed'
              : 'unverified',
        fromJournal: true,
        writeStatus: prior.status,
        requestId: prior.requestId,
        reason: prior.reason,
        finishedAt: prior.at,
      };
    }
    slots.push(slot);
  }
  const total = slots.length;

  // ---- progress --------------------------------------------------------------------------------
  const samples: { t: number; done: number }[] = [];
  let state: RunProgress['state'] = 'running';
  const progress = (): RunProgress => {
    let verified = 0,
      skipped = 0,
      failed = 0,
      unverifiedFinal = 0,
      inWriteOrVerify = 0;
    for (const s of slots) {
      if (s.phase === 'final') {
        const o = s.result?.outcome;
        if (o === 'verified') verified++;
        else if (o === 'skipped') skipped++;
        else if (o === 'failed') failed++;
        else if (o === 'unverified') unverifiedFinal++;
      } else if (s.phase === 'verify' || s.uncertain) inWriteOrVerify++;
    }
    const done = verified + skipped + failed + unverifiedFinal;
    const now = clock.now();
    samples.push({ t: now, done });
    while (samples.length > 2 && (samples[0]?.t ?? now) < now - 10_000) samples.shift();
    const first = samples[0];
    const span = first ? (now - first.t) / 1000 : 0;
    const rate = first && span > 0.2 ? (done - first.done) / span : 0;
    const remaining = total - done;
    return {
      runId: options.runId,
      total,
      done,
      verified,
      skipped,
      failed,
      unverified: inWriteOrVerify + unverifiedFinal,
      remaining,
      writesSent: counters.writesSent,
      throttled: counters.throttled,
      retries: counters.retries,
      ratePerSecond: Math.round(rate * 10) / 10,
      etaSeconds: rate > 0 ? Math.round(remaining / rate) : remaining === 0 ? 0 : null,
      concurrency,
      writeRate: Math.round(pacer.rate * 10) / 10,
      state,
    };
  };
  const emit = (): void => options.onProgress?.(progress());

  // ---- finalisation ------------------------------------------------------------------------------
  const pendingResults: JournalRecordInput[] = [];
  const finalize = (slot: Slot, outcome: ItemOutcome, extra: Partial<ItemResult> = {}): void => {
    slot.phase = 'final';
    slot.result = { ...baseResult(slot), outcome, ...extra, finishedAt: new Date(clock.now()).toISOString() };
    if (slot.intentWritten && outcome !== 'cancelled') {
      pendingResults.push({
        kind: 'result',
        opId: slot.opId,
        outcome: outcome === 'verified' ? 'done' : outcome === 'failed' ? 'failed' : 'unknown',
        verified: outcome === 'verified',
        ...(slot.requestId ? { requestId: slot.requestId } : {}),
        ...(slot.writeStatus !== undefined ? { status: slot.writeStatus } : {}),
        ...(extra.after !== undefined ? { after: { isCloudManaged: extra.after } } : {}),
        ...(extra.reason ? { reason: extra.reason.slice(0, 2000) } : {}),
      });
    }
    options.onItem?.(slot.result);
  };
  function baseResult(slot: Slot): ItemResult {
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

  const backoff = (attempts: number): number => {
    const exp = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempts - 1));
    return exp * (0.5 + random() / 2);
  };

  /** A transient failure (5xx, network, bad body) of the request this slot sent. */
  const transient = (slot: Slot, kind: Phase, reason: string, now: number, delayMs?: number): void => {
    slot.attempts++;
    counters.retries++;
    if (kind === 'write') slot.uncertain = true;
    if (slot.attempts >= retry.maxAttempts) {
      if (slot.uncertain || kind === 'verify')
        finalize(slot, 'unverified', { reason: `Gave up after ${slot.attempts} attempts: ${reason}` });
      else finalize(slot, 'failed', { reason: `Gave up after ${slot.attempts} attempts: ${reason}` });
      return;
    }
    // an uncertain write is never retried blindly: read first
    slot.phase = kind === 'write' ? 'check' : kind;
    const wait = delayMs ?? backoff(slot.attempts);
    slot.notBefore = now + (kind === 'write' ? Math.max(wait, retry.uncertainSettleMs) : wait);
  };

  const throttledSlot = (slot: Slot, kind: Phase, delayMs: number, now: number): void => {
    slot.throttles++;
    counters.throttled++;
    if (slot.throttles >= retry.maxThrottled) {
      if (slot.uncertain || kind === 'verify') finalize(slot, 'unverified', { reason: 'Throttled too many times' });
      else finalize(slot, 'failed', { reason: 'Throttled too many times' });
      return;
    }
    slot.phase = kind;
    slot.notBefore = now + delayMs;
  };

  // ---- one batch -----------------------------------------------------------------------------------
  interface Member {
    slot: Slot;
    kind: Phase;
  }

  const currentWave = (): number => {
    let w = Infinity;
    for (const s of slots) if (s.phase !== 'final' && s.wave < w) w = s.wave;
    return w;
  };

  const buildBatch = (now: number, wave: number): Member[] => {
    const members: Member[] = [];
    const eligible = (s: Slot): boolean => !s.inFlight && s.phase !== 'final' && s.wave === wave && s.notBefore <= now;
    const cancelling = control.cancelled;
    // 1. verifies
    for (const s of slots) {
      if (members.length >= MAX_BATCH) break;
      if (s.phase === 'verify' && eligible(s)) members.push({ slot: s, kind: 'verify' });
    }
    // 2. writes, paced
    if (!cancelling) {
      let budget = Math.min(MAX_BATCH - members.length, pacer.available(now));
      for (const s of slots) {
        if (budget <= 0 || members.length >= MAX_BATCH) break;
        if (s.phase === 'write' && eligible(s)) {
          if (now - s.checkedAt > staleCheckMs) {
            s.phase = 'check'; // the re-check is too old: read again just before writing
            continue;
          }
          members.push({ slot: s, kind: 'write' });
          budget--;
        }
      }
    }
    // 3. checks: uncertain ones first; keep the look-ahead of checked-but-unwritten objects short
    let waiting = 0;
    for (const s of slots) if (s.phase === 'write' && !s.inFlight) waiting++;
    const lookahead = Math.max(MAX_BATCH * 2, Math.ceil(pacer.rate * 2));
    for (const pass of [true, false]) {
      for (const s of slots) {
        if (members.length >= MAX_BATCH || waiting >= lookahead) break;
        if (s.phase === 'check' && s.uncertain === pass && eligible(s)) {
          if (cancelling && !s.intentWritten) continue;
          members.push({ slot: s, kind: 'check' });
          waiting++;
        }
      }
    }
    return members;
  };

  const handleInner = (m: Member, r: BatchInnerResponse | undefined, now: number): void => {
    const { slot, kind } = m;
    if (slot.phase === 'final') return;
    if (!r) return transient(slot, kind, 'no response for this request in the batch', now);
    const pct = throttlePercentage(r.headers);
    if (pct !== undefined) pacer.observePercentage(pct, now);
    if (r.status === 429) {
      const ra = retryAfterHeaderMs(r.headers, now) ?? backoff(slot.throttles + 1);
      if (kind === 'write') pacer.throttled(ra, now);
      return throttledSlot(slot, kind, ra, now);
    }
    if (r.status >= 500 || r.status === 424 || r.status === 408) {
      return transient(
        slot,
        kind,
        `HTTP ${r.status} ${errorMessage(r.body) ?? ''}`.trim(),
        now,
        retryAfterHeaderMs(r.headers, now),
      );
    }
    if (kind === 'write') {
      if (r.status >= 200 && r.status < 300) {
        slot.written = true;
        slot.writeStatus = r.status;
        const rid = header(r.headers, 'request-id') ?? header(r.headers, 'client-request-id');
        if (rid) slot.requestId = rid;
        slot.phase = 'verify';
        slot.notBefore = 0;
        return;
      }
      slot.writeStatus = r.status;
      return finalize(slot, 'failed', {
        reason: `PATCH returned ${r.status}: ${errorMessage(r.body) ?? 'no error body'}`,
      });
    }
    // check or verify (GET)
    if (r.status !== 200) {
      const reason = `GET returned ${r.status}: ${errorMessage(r.body) ?? 'no error body'}`;
      return finalize(slot, slot.uncertain || kind === 'verify' ? 'unverified' : 'failed', { reason });
    }
    const value = parseIsCloudManaged(r.body);
    if (value === undefined) return transient(slot, kind, 'unexpected onPremisesSyncBehavior body', now);
    slot.checkedAt = now;
    if (value === slot.target) {
      if (kind === 'verify' || slot.intentWritten) {
        return finalize(slot, 'verified', { after: value });
      }
      slot.before = value;
      return finalize(slot, 'skipped', {
        after: value,
        reason: 'Already in the target state at the re-check; nothing written.',
      });
    }
    if (kind === 'verify') {
      slot.verifyMismatches++;
      if (slot.verifyMismatches >= 3) {
        return finalize(slot, 'unverified', {
          after: value,
          reason: 'The write was acknowledged but the read-back still shows the old state.',
        });
      }
      slot.notBefore = now + backoff(slot.verifyMismatches);
      return;
    }
    // check: a write is needed
    if (slot.before === undefined) slot.before = value;
    slot.uncertain = false;
    if (control.cancelled) {
      return finalize(slot, 'cancelled', {
        reason: 'Cancelled before the write (intent pending; a resume finishes it).',
      });
    }
    slot.phase = 'write';
    slot.notBefore = 0;
  };

  /** Append records; returns the refused ones (opId → why). Any other journal failure stops the run. */
  const appendRefusable = async (records: JournalRecordInput[]): Promise<Map<string, string>> => {
    try {
      await options.journal.append(records);
      return new Map();
    } catch (e) {
      const refusal = journalRefusalOf(e);
      if (!refusal) throw e;
      return new Map(refusal.refused.map((r) => [r.opId, r.message]));
    }
  };
  /** A refused result leaves its intent pending (re-verified later); it never stops the run. */
  const appendResults = async (): Promise<void> => {
    await appendRefusable(pendingResults.splice(0, pendingResults.length));
  };

  const sendBatch = async (batchMembers: Member[]): Promise<void> => {
    let members = batchMembers;
    const now0 = clock.now();
    // durable intents before any write leaves the process
    const intentsToWrite: JournalRecordInput[] = [];
    for (const m of members) {
      if (m.kind === 'write' && !m.slot.intentWritten) {
        const it = m.slot.item;
        intentsToWrite.push({
          kind: 'intent',
          opId: m.slot.opId,
          runId: options.runId,
          objectType: it.objectType,
          objectId: it.objectId,
          ...(it.displayName !== undefined ? { displayName: it.displayName.slice(0, 512) } : {}),
          action: it.action,
          ...(m.slot.before !== undefined ? { before: { isCloudManaged: m.slot.before } } : {}),
          request: {
            method: 'PATCH',
            url: syncBehaviorPatchUrl(it.objectType, it.objectId),
            body: { isCloudManaged: m.slot.target },
          },
        });
      }
    }
    if (intentsToWrite.length > 0) {
      // A refused intent (it carries a credential) fails its own object only; the others are durable.
      const refused = await appendRefusable(intentsToWrite);
      for (const m of members) {
        if (m.kind !== 'write') continue;
        const why = refused.get(m.slot.opId);
        if (why === undefined) m.slot.intentWritten = true;
        else finalize(m.slot, 'failed', { reason: `Not written: ${why}` });
      }
      if (refused.size > 0) members = members.filter((m) => m.slot.phase !== 'final');
      if (members.length === 0) return;
    }
    const requests: BatchRequest[] = members.map((m, i) => {
      const { objectType, objectId } = m.slot.item;
      if (m.kind === 'write') {
        return {
          id: String(i + 1),
          method: 'PATCH',
          url: syncBehaviorPatchUrl(objectType, objectId),
          headers: { 'Content-Type': 'application/json' },
          body: { isCloudManaged: m.slot.target },
        };
      }
      return { id: String(i + 1), method: 'GET', url: syncBehaviorUrl(objectType, objectId) };
    });
    const writes = members.filter((m) => m.kind === 'write').length;
    counters.writesSent += writes;
    const scopes = [...new Set(members.flatMap((m) => scopesFor(m.slot.item.objectType)))];
    let outcome:
      | { ok: true; byId: Map<string, BatchInnerResponse> }
      | { ok: false; reason: string; retryAfter?: number; status?: number };
    try {
      const res = await options.graph.sendBatch({ requests }, { scopes });
      if (res.status === 200) {
        const parsed = batchResponseBody.safeParse(res.body);
        outcome = parsed.success
          ? { ok: true, byId: new Map(parsed.data.responses.map((r) => [r.id, r])) }
          : { ok: false, reason: 'unparsable $batch response body' };
      } else {
        const ra = retryAfterHeaderMs(res.headers, clock.now());
        outcome = {
          ok: false,
          reason: `$batch returned ${res.status}`,
          status: res.status,
          ...(ra !== undefined ? { retryAfter: ra } : {}),
        };
      }
    } catch (e) {
      outcome = { ok: false, reason: `network error: ${e instanceof Error ? e.message : String(e)}` };
    }
    const now = clock.now();
    if (outcome.ok) {
      let failures = 0;
      let throttleSignal = false;
      members.forEach((m, i) => {
        const r = outcome.ok ? outcome.byId.get(String(i + 1)) : undefined;
        if (!r || r.status >= 500 || r.status === 429) failures++;
        if (r?.status === 429 || throttlePercentage(r?.headers) !== undefined) throttleSignal = true;
        handleInner(m, r, now);
      });
      if (writes > 0 && !throttleSignal) pacer.recovered(now);
      // a few inner 5xx are normal; back off concurrency only when a large share of the batch failed
      if (failures / members.length >= 0.25) concurrency = Math.max(1, Math.floor(concurrency / 2));
      else if (concurrency < maxConcurrency && now - now0 < 5_000) concurrency++;
    } else {
      concurrency = Math.max(1, Math.floor(concurrency / 2));
      if (outcome.status === 429 && writes > 0) pacer.throttled(outcome.retryAfter ?? backoff(1), now);
      for (const m of members) {
        if (outcome.status === 429)
          throttledSlot(m.slot, m.kind, outcome.retryAfter ?? backoff(m.slot.throttles + 1), now);
        else transient(m.slot, m.kind, outcome.reason, now, outcome.retryAfter);
      }
    }
    if (pendingResults.length > 0) await appendResults();
  };

  // ---- the scheduler loop ---------------------------------------------------------------------------
  const inFlight = new Set<Promise<void>>();
  let kick: AbortController = new AbortController();
  const unsubscribe = control.onChange(() => kick.abort());
  let fatal: unknown;
  emit();
  try {
    for (;;) {
      if (fatal) throw fatal;
      kick = new AbortController();
      const wave = currentWave();
      if (wave === Infinity) break;
      if (control.cancelled) {
        state = 'cancelling';
        // unsent work ends here; only reads that settle an uncertain or written object continue
        for (const s of slots) {
          if (s.phase === 'final' || s.inFlight) continue;
          if (s.phase === 'verify' || (s.phase === 'check' && s.intentWritten)) continue;
          finalize(s, 'cancelled', {
            reason: s.intentWritten
              ? 'Cancelled before the write (intent pending; a resume finishes it).'
              : 'Cancelled before the write.',
          });
        }
        if (pendingResults.length > 0) await appendResults();
        if (currentWave() === Infinity && inFlight.size === 0) break;
      } else {
        state = control.paused ? 'paused' : 'running';
      }
      const now = clock.now();
      if (!control.paused || control.cancelled) {
        while (inFlight.size < concurrency) {
          const members = buildBatch(now, wave);
          if (members.length === 0) break;
          for (const m of members) m.slot.inFlight = true;
          const pacerWrites = members.filter((m) => m.kind === 'write').length;
          if (pacerWrites > 0) pacer.take(pacerWrites, now);
          const p: Promise<void> = sendBatch(members)
            .catch((e: unknown) => {
              fatal ??= e;
            })
            .finally(() => {
              for (const m of members) m.slot.inFlight = false;
              inFlight.delete(p);
              emit();
              kick.abort();
            });
          inFlight.add(p);
        }
      }
      // sleep until a batch completes, a control changes, or the next slot/token is due
      if (inFlight.size >= concurrency || (control.paused && !control.cancelled)) {
        await clock.sleep(1000, kick.signal);
      } else {
        let wake = now + 1000;
        let waiting = 0;
        for (const s of slots) if (s.phase === 'write' && !s.inFlight) waiting++;
        const lookahead = Math.max(MAX_BATCH * 2, Math.ceil(pacer.rate * 2));
        for (const s of slots) {
          if (s.phase === 'final' || s.inFlight || s.wave !== wave) continue;
          let t = s.notBefore;
          if (s.phase === 'write') {
            if (control.cancelled) continue;
            t = Math.max(t, pacer.nextAt(now));
          } else if (s.phase === 'check') {
            if (control.cancelled && !s.intentWritten) continue;
            if (waiting >= lookahead) continue;
          }
          if (t < wake) wake = t;
        }
        await clock.sleep(Math.max(2, wake - now), kick.signal);
      }
    }
    await Promise.all(inFlight);
    if (fatal) throw fatal;
    if (pendingResults.length > 0) await appendResults();
  } finally {
    unsubscribe();
    await Promise.allSettled(inFlight);
  }
  state = control.cancelled ? 'cancelled' : 'finished';
  const finalProgress = progress();
  options.onProgress?.(finalProgress);
  return {
    runId: options.runId,
    startedAt,
    finishedAt: new Date(clock.now()).toISOString(),
    cancelled: control.cancelled,
    items: slots.map((s) => s.result ?? { ...baseResult(s), outcome: 'cancelled', reason: 'Not finished.' }),
    progress: finalProgress,
  };
}

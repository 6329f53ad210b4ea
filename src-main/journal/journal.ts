/**
 * The append-only operation journal: one folder of JSON-lines segments per tenant under
 * `<dataDir>/journal/<tenant>/` (layout in journal-segments.ts, docs/reference/journal.md).
 *
 * - Every append is written and fsynced before its promise resolves, so a caller that awaits
 *   `append()` before sending the Graph request has a durable intent. When an append opens a new
 *   segment, the folder is fsynced too before the append resolves.
 * - Appends that arrive while a flush is in progress are group-committed: one write + one fsync for
 *   all of them, each caller still resolves only after its own record is on disk. The bulk pipeline
 *   uses `appendMany()` to commit a whole batch's intents with one fsync.
 * - Appends are O(1): nothing is read back. A segment is sealed once it reaches `segmentBytes`
 *   (16 MiB by default, so a start scans at most that much) and a new one is started; the index summarises the sealed segments.
 * - `pending()` answers from an in-memory index of open intents (intents without a result), which a
 *   start rebuilds from the index file plus a streaming scan of the active segment.
 * - `read()` streams segments line by line (never a whole file in memory) and starts at the
 *   newest segments for `limit`, or at the run's first segment for `runId`.
 * - `seq` increases monotonically across restarts and segments.
 * - Every record read is validated (JSON, schema, and a `seq` that is a safe integer and increases,
 *   see record-guard.ts). A bad line (a torn tail after a crash, a hand-edited record, a `seq` of
 *   2^53−1) is skipped, counted and copied to `quarantine.jsonl`; it never hides the records after
 *   it and never moves the next `seq`. A torn tail never merges with the next record: the next
 *   append starts on a fresh line.
 * - Records never contain tokens: a record that carries one (recognised by structure, see
 *   credential-filter.ts) is refused with the field's path; the value is never echoed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { journalRecord, type JournalRecordInput, type StoredJournalRecord } from '../ipc/contract';
import { OperationError } from '../ipc/errors';
import { logger } from '../log';
import { findSecret, type SecretFinding } from './credential-filter';
import { nodeJournalFs, type JournalFile, type JournalFs } from './journal-fs';
import {
  MAX_LINE_BYTES,
  MAX_RUN_IDS_PER_SEGMENT,
  loadIndex,
  segmentLines,
  segmentName,
  segmentNumbers,
  type JournalIndex,
  type SegmentSummary,
} from './journal-segments';
import { RecordGuard, parseStoredLine } from './record-guard';

const log = logger('journal');

export interface PendingOperation {
  opId: string;
  intent: StoredJournalRecord & { kind: 'intent' };
}

export interface JournalReadOptions {
  runId?: string;
  /** Newest `limit` records (after the runId filter); with `afterSeq`, the first `limit` after it. */
  limit?: number;
  /** Page forward: only records with a larger `seq`, oldest first. */
  afterSeq?: number;
}

export interface JournalReadResult {
  records: StoredJournalRecord[];
  /** Lines that failed validation in the segments read (a torn last line counts here too). */
  skippedLines: number;
}

export interface JournalOptions {
  now?: () => Date;
  fs?: JournalFs;
  /** A segment is sealed once it holds at least this many bytes. */
  segmentBytes?: number;
  /** `quarantine.jsonl` is not added to once it holds this many bytes (default 16 MiB). */
  quarantineBytes?: number;
}

export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
/** At most this many quarantined lines are copied per start (the rest are only counted). */
const MAX_QUARANTINE_PER_SCAN = 1000;
/** `quarantine.jsonl` grows to at most about this size; past it, bad lines are only counted and reported. */
export const DEFAULT_QUARANTINE_BYTES = 16 * 1024 * 1024;

/** A tenant id or domain turned into a safe file name (no path separators, no dots at the start). */
export function tenantFileName(tenant: string): string {
  const safe = tenant
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 120);
  return `${safe || 'tenant'}.jsonl`;
}

/** The tenant's journal folder. */
export function journalPath(dataDir: string, tenant: string): string {
  return path.join(dataDir, 'journal', tenantFileName(tenant).replace(/\.jsonl$/, ''));
}

/** The single-file journal of earlier versions; moved into the folder as its first segment. */
export function legacyJournalPath(dataDir: string, tenant: string): string {
  return path.join(dataDir, 'journal', tenantFileName(tenant));
}

/**
 * The newest `limit` items pushed (every item without a limit), holding at most twice `limit` at a time: the
 * oldest overflow is dropped once it reaches `limit`, so a `read({ limit })` over a long journal stays bounded
 * in memory at amortised O(1) per record.
 */
export class NewestRecords<T> {
  private items: T[] = [];
  private readonly keep: number;
  constructor(limit?: number) {
    this.keep = limit ?? Infinity;
  }
  push(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.keep * 2) this.items.splice(0, this.items.length - this.keep);
  }
  /** How many items are held now (at most twice `limit`). */
  get held(): number {
    return this.items.length;
  }
  newest(): T[] {
    return this.items.slice(-this.keep);
  }
}

interface QueuedAppend {
  records: JournalRecordInput[];
  resolve: (written: { seq: number; at: string }[]) => void;
  reject: (e: unknown) => void;
}

/** A segment being summarised (the active one, or one being scanned). */
export class SegmentTally {
  count = 0;
  rejected = 0;
  runIds: Set<string> | null = new Set();
  constructor(
    readonly n: number,
    public bytes: number,
    public lastSeq: number,
  ) {}
  addRun(runId: string | undefined): void {
    if (runId === undefined || this.runIds === null) return;
    this.runIds.add(runId);
    if (this.runIds.size > MAX_RUN_IDS_PER_SEGMENT) this.runIds = null;
  }
  summary(): SegmentSummary {
    return {
      n: this.n,
      bytes: this.bytes,
      count: this.count,
      rejected: this.rejected,
      lastSeq: this.lastSeq,
      runIds: this.runIds ? [...this.runIds] : null,
    };
  }
}

export class Journal {
  /** The tenant's journal folder. */
  readonly path: string;
  private readonly fs: JournalFs;
  private readonly now: () => Date;
  private readonly segmentBytes: number;
  private readonly quarantineBytes: number;
  private handle: JournalFile | undefined;
  private sealed: SegmentSummary[] = [];
  private active: SegmentTally | undefined;
  /** Open intents (no result yet): opId → the stored line, in append order. */
  private open = new Map<string, string>();
  private nextSeq = 1;
  private ready: Promise<void> | undefined;
  private queue: QueuedAppend[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  /** Lines quarantined since this journal was opened (reported by `stats()`). */
  private quarantined = 0;

  constructor(
    readonly dataDir: string,
    readonly tenant: string,
    options: JournalOptions | (() => Date) = {},
  ) {
    const o = typeof options === 'function' ? { now: options } : options;
    this.path = journalPath(dataDir, tenant);
    this.fs = o.fs ?? nodeJournalFs;
    this.now = o.now ?? (() => new Date());
    this.segmentBytes = Math.max(1, o.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
    this.quarantineBytes = o.quarantineBytes ?? DEFAULT_QUARANTINE_BYTES;
  }

  /** Append one record; resolves once it is fsynced. */
  async append(record: JournalRecordInput): Promise<{ seq: number; at: string }> {
    const [first] = await this.appendMany([record]);
    if (!first) throw new Error('journal append produced no record');
    return first;
  }

  /**
   * Append the records the journal accepts (one write, one fsync) and report the refused ones
   * (a record that carries a credential) instead of failing the whole call.
   */
  async appendAccepted(
    records: JournalRecordInput[],
  ): Promise<{ written: { seq: number; at: string }[]; refused: { opId: string; message: string }[] }> {
    const accepted: JournalRecordInput[] = [];
    const refused: { opId: string; message: string }[] = [];
    for (const r of records) {
      const secret = findSecret(r);
      if (secret) refused.push({ opId: r.opId, message: refusal(r, secret).message });
      else accepted.push(r);
    }
    return { written: await this.appendMany(accepted), refused };
  }

  /** Append several records with one write and one fsync; resolves once all are durable. */
  async appendMany(records: JournalRecordInput[]): Promise<{ seq: number; at: string }[]> {
    if (this.closed) throw new OperationError('unavailable', 'The journal is closed.');
    const checked: JournalRecordInput[] = [];
    for (const raw of records) {
      const parsed = journalRecord.safeParse(raw);
      if (!parsed.success) {
        throw new OperationError(
          'validation',
          `Invalid journal record: ${parsed.error.issues[0]?.message ?? 'bad record'}`,
        );
      }
      const secret = findSecret(parsed.data);
      if (secret) throw refusal(parsed.data, secret);
      if (Buffer.byteLength(JSON.stringify(parsed.data)) > MAX_LINE_BYTES - 4096) {
        throw new OperationError('validation', `Journal record ${parsed.data.opId} is larger than 1 MiB; shorten it.`);
      }
      checked.push(parsed.data);
    }
    await this.init();
    if (checked.length === 0) return [];
    return new Promise((resolve, reject) => {
      this.queue.push({ records: checked, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    });
  }

  /** All records of this tenant (optionally one run's intents, their results and its observations), oldest first. */
  async read(options: JournalReadOptions = {}): Promise<JournalReadResult> {
    await this.init();
    const segments = this.segmentsNow();
    let start = 0;
    if (options.runId !== undefined) {
      const runId = options.runId;
      start = segments.findIndex((s) => s.runIds === null || s.runIds.includes(runId));
      if (start === -1) return { records: [], skippedLines: 0 };
    } else if (options.afterSeq !== undefined) {
      const after = options.afterSeq;
      start = segments.findIndex((s) => s.lastSeq > after);
      if (start === -1) return { records: [], skippedLines: 0 };
    } else if (options.limit !== undefined) {
      let count = 0;
      start = segments.length;
      while (start > 0 && count < options.limit) count += segments[--start]?.count ?? 0;
    }
    const limit = options.limit;
    const afterSeq = options.afterSeq;
    const out = new NewestRecords<StoredJournalRecord>(limit);
    const runOps = new Set<string>();
    // judged from the last record before the first segment read (none when reading from the start)
    const guard = new RecordGuard(segments[start - 1]?.lastSeq ?? 0);
    scan: for (const seg of segments.slice(start)) {
      for await (const line of segmentLines(this.fs, this.segmentFile(seg.n), seg.bytes)) {
        const r = guard.acceptLine(line);
        if (!r.ok) continue;
        const rec = r.record;
        if (options.runId !== undefined) {
          if (rec.kind === 'intent' && rec.runId === options.runId) runOps.add(rec.opId);
          else if (rec.kind === 'observation') {
            if (rec.runId !== options.runId) continue;
          } else if (!runOps.has(rec.opId)) continue;
        }
        if (afterSeq === undefined) out.push(rec);
        else if (rec.seq > afterSeq) {
          out.push(rec);
          // paging forward: the first `limit` records after `afterSeq` are the page
          if (out.held === limit) break scan;
        }
      }
    }
    return { records: out.newest(), skippedLines: guard.rejected };
  }

  /** Intents that have no result record: operations a crash may have left unfinished. */
  async pending(): Promise<PendingOperation[]> {
    await this.init();
    const out: PendingOperation[] = [];
    for (const [opId, line] of this.open) {
      const rec = parseStoredLine(line);
      if (rec?.kind === 'intent') out.push({ opId, intent: rec });
    }
    return out;
  }

  /** Size figures (for the benchmark and diagnostics). */
  stats(): { segments: number; openIntents: number; nextSeq: number; quarantined: number } {
    return {
      segments: this.sealed.length + (this.active ? 1 : 0),
      openIntents: this.open.size,
      nextSeq: this.nextSeq,
      quarantined: this.quarantined,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }

  private segmentFile(n: number): string {
    return path.join(this.path, segmentName(n));
  }

  /** Sealed summaries plus the active segment as it is now (its committed bytes). */
  private segmentsNow(): SegmentSummary[] {
    return this.active ? [...this.sealed, this.active.summary()] : [...this.sealed];
  }

  private init(): Promise<void> {
    this.ready ??= this.open_().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  private async open_(): Promise<void> {
    const fs = this.fs;
    const root = path.dirname(this.path);
    if (await fs.mkdir(root)) await fs.syncDir(path.dirname(root));
    if (await fs.mkdir(this.path)) await fs.syncDir(root);
    let numbers = segmentNumbers(await fs.list(this.path));
    const legacy = legacyJournalPath(this.dataDir, this.tenant);
    if (numbers.length === 0 && (await fs.size(legacy)) !== null) {
      await fs.rename(legacy, this.segmentFile(1));
      await fs.syncDir(this.path);
      await fs.syncDir(root);
      numbers = [1];
      log.info('Moved the single-file journal into its segment folder.', { path: this.path });
    }
    // the index is trusted only when it matches the files; otherwise everything is rescanned
    let index: JournalIndex | null = await loadIndex(fs, path.join(this.path, 'index.json'));
    if (index) {
      for (const [i, s] of index.segments.entries()) {
        if (numbers[i] !== s.n || (await fs.size(this.segmentFile(s.n))) !== s.bytes) {
          log.warn('The journal index does not match the segment files; rebuilding it.', { path: this.path });
          index = null;
          break;
        }
      }
    }
    this.sealed = index ? [...index.segments] : [];
    this.active = undefined;
    this.handle = undefined;
    this.open = new Map();
    for (const line of index?.open ?? []) {
      const rec = parseStoredLine(line);
      if (rec) this.open.set(rec.opId, line);
    }
    const guard = new RecordGuard(this.sealed.at(-1)?.lastSeq ?? 0);
    const quarantine: object[] = [];
    const rest = numbers.slice(this.sealed.length);
    let tally: SegmentTally | undefined;
    let tornTail = false;
    for (const n of rest) {
      if (tally) this.sealed.push(tally.summary());
      const bytes = (await fs.size(this.segmentFile(n))) ?? 0;
      tally = new SegmentTally(n, bytes, guard.lastSeq);
      tornTail = false;
      for await (const line of segmentLines(fs, this.segmentFile(n), bytes)) {
        const r = guard.acceptLine(line);
        tornTail = line.torn;
        if (!r.ok) {
          tally.rejected++;
          if (quarantine.length < MAX_QUARANTINE_PER_SCAN) {
            quarantine.push({
              segment: segmentName(n),
              offset: line.offset,
              reason: r.reason,
              line: line.text.slice(0, 4096),
            });
          }
          continue;
        }
        tally.count++;
        tally.lastSeq = r.record.seq;
        if (r.record.kind !== 'result') tally.addRun(r.record.runId);
        this.track(r.record, line.text);
      }
    }
    this.nextSeq = Math.max(this.nextSeq, guard.lastSeq + 1);
    // more than one segment scanned: the index lacked (or did not match) sealed ones; without an index, every
    // scanned segment but the last is sealed, so this also rebuilds a lost index
    if (rest.length > 1) await this.writeIndex();
    if (tally) {
      this.active = tally;
      this.handle = await fs.openAppend(this.segmentFile(tally.n));
      // a torn last line (crash mid-write) must not merge with the next record
      if (tornTail) {
        const nl = Buffer.from('\n');
        await this.handle.write(nl);
        await this.handle.sync();
        tally.bytes += nl.length;
      }
    }
    if (guard.rejected > 0) await this.quarantine(quarantine, guard.rejected);
  }

  /** Copy rejected lines aside (once per line) and report them. */
  private async quarantine(entries: object[], total: number): Promise<void> {
    const file = path.join(this.path, 'quarantine.jsonl');
    const seen = new Set<string>();
    const existing = (await this.fs.size(file)) ?? 0;
    if (existing < this.quarantineBytes) {
      for await (const line of segmentLines(this.fs, file, existing)) {
        try {
          const e = JSON.parse(line.text) as { segment?: unknown; offset?: unknown };
          seen.add(`${String(e.segment)}:${String(e.offset)}`);
        } catch {
          /* a torn quarantine line: ignore */
        }
      }
    }
    const fresh = entries.filter((e) => {
      const { segment, offset } = e as { segment: string; offset: number };
      return !seen.has(`${segment}:${offset}`);
    });
    this.quarantined += total;
    log.warn(`The journal skipped ${total} invalid line(s); they are kept in ${file}.`, { path: this.path });
    if (fresh.length === 0 || existing >= this.quarantineBytes) return;
    const at = this.now().toISOString();
    const h = await this.fs.openAppend(file);
    try {
      await h.write(Buffer.from(fresh.map((e) => JSON.stringify({ at, ...e })).join('\n') + '\n'));
      await h.sync();
    } finally {
      await h.close();
    }
  }

  /** Keep the open-intent index and the active segment's run ids up to date for one record. */
  private track(rec: StoredJournalRecord, line: string): void {
    if (rec.kind === 'intent') {
      this.open.delete(rec.opId); // re-insert: append order
      this.open.set(rec.opId, line);
      return;
    }
    // an observation closes nothing: only a result ends an intent
    if (rec.kind === 'result') this.open.delete(rec.opId);
  }

  private async writeIndex(): Promise<void> {
    const index: JournalIndex = { version: 1, segments: this.sealed, open: [...this.open.values()] };
    await this.fs.replaceFile(path.join(this.path, 'index.json'), JSON.stringify(index));
  }

  /** Seal the active segment (if any) and start the next one; the folder is fsynced. */
  private async rotate(): Promise<void> {
    const prev = this.active;
    if (prev) {
      await this.handle?.close();
      this.handle = undefined;
      this.sealed.push(prev.summary());
      this.active = undefined;
      await this.writeIndex();
    }
    const n = (prev?.n ?? this.sealed.at(-1)?.n ?? 0) + 1;
    this.handle = await this.fs.openAppend(this.segmentFile(n));
    await this.fs.syncDir(this.path);
    this.active = new SegmentTally(n, 0, prev?.lastSeq ?? this.sealed.at(-1)?.lastSeq ?? 0);
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.init();
        if (!this.active || !this.handle || this.active.bytes >= this.segmentBytes) await this.rotate();
        const active = this.active;
        const h = this.handle;
        if (!active || !h) throw new Error('journal segment not open');
        const written: { seq: number; at: string }[][] = [];
        const lines: { rec: StoredJournalRecord; line: string }[] = [];
        let seq = this.nextSeq;
        for (const q of batch) {
          const mine: { seq: number; at: string }[] = [];
          for (const r of q.records) {
            const at = this.now().toISOString();
            const rec = { ...r, seq, at, tenant: this.tenant } as StoredJournalRecord;
            lines.push({ rec, line: JSON.stringify(rec) });
            mine.push({ seq, at });
            seq++;
          }
          written.push(mine);
        }
        // numbers are spent even if the write fails, so a retry never reuses a seq on disk
        this.nextSeq = seq;
        const data = Buffer.from(lines.map((l) => l.line).join('\n') + '\n');
        try {
          await h.write(data);
          await h.sync();
        } catch (e) {
          // the file's tail is unknown now: reopen (rescan the active segment) before the next write
          this.ready = undefined;
          this.handle = undefined;
          await h.close().catch(() => undefined);
          throw e;
        }
        active.bytes += data.length;
        for (const { rec, line } of lines) {
          active.count++;
          active.lastSeq = rec.seq;
          if (rec.kind !== 'result') active.addRun(rec.runId);
          this.track(rec, line);
        }
        batch.forEach((q, i) => q.resolve(written[i] ?? []));
      } catch (e) {
        for (const q of batch) q.reject(e);
      }
    }
  }
}

/**
 * Every record of a tenant's journal, read synchronously (tests and tools only: it holds the whole
 * journal in memory; the app uses `Journal.read`).
 */
export function readJournalSync(dataDir: string, tenant: string): JournalReadResult {
  const dir = journalPath(dataDir, tenant);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { records: [], skippedLines: 0 };
  }
  const guard = new RecordGuard();
  const records: StoredJournalRecord[] = [];
  for (const n of segmentNumbers(names)) {
    for (const line of readFileSync(path.join(dir, segmentName(n)), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const r = guard.accept(line);
      if (r.ok) records.push(r.record);
    }
  }
  return { records, skippedLines: guard.rejected };
}

function refusal(record: JournalRecordInput, secret: SecretFinding): OperationError {
  const what =
    record.kind === 'intent'
      ? `the ${record.action} intent for ${record.objectType} ${record.objectId}`
      : record.kind === 'observation'
        ? `the ${record.topic} observation of run ${record.runId}`
        : `the result of ${record.opId}`;
  return new OperationError(
    'refused',
    `Journal record refused: ${secret.path} looks like a credential (${secret.kind}). The journal never stores tokens or secrets; remove it from ${what} and try again.`,
    { path: secret.path, kind: secret.kind, opId: record.opId },
  );
}

/**
 * The bulk pipeline's JournalPort over this class (Node tests, the benchmark, the kill-test runner).
 * Refused records reject with `{ code: 'refused', refused: [{ opId, message }] }` after the accepted
 * ones are durable (the JournalRefusal shape of the renderer's bulk ports).
 */
export function journalPortOf(journal: Journal): {
  append(records: JournalRecordInput[]): Promise<void>;
  readRun(runId: string): Promise<StoredJournalRecord[]>;
} {
  return {
    append: async (records) => {
      const { refused } = await journal.appendAccepted(records);
      if (refused.length > 0) {
        throw Object.assign(new Error(refused.map((r) => `${r.opId}: ${r.message}`).join('; ')), {
          code: 'refused' as const,
          refused,
        });
      }
    },
    readRun: async (runId) => (await journal.read({ runId })).records,
  };
}

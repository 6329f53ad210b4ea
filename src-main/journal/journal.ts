/**
 * The append-only operation journal: one JSON-lines file per tenant under `<dataDir>/journal/`.
 *
 * - Every append is written and fsynced before its promise resolves, so a caller that awaits
 *   `append()` before sending the Graph request has a durable intent (issue 6, "Journal").
 * - Appends that arrive while a flush is in progress are group-committed: one write + one fsync for
 *   all of them, each caller still resolves only after its own record is on disk. The bulk pipeline
 *   uses `appendMany()` to commit a whole batch's intents with one fsync.
 * - `seq` increases monotonically across restarts (the reader finds the last one).
 * - The reader tolerates a torn last line (a crash mid-write): it is skipped, and the next append
 *   starts on a fresh line so the torn bytes never merge with a good record.
 * - Records never contain tokens: a record that carries one (recognised by structure, see
 *   credential-filter.ts) is refused with the field's path; the value is never echoed.
 * - Every record read is validated (schema, and `seq` a safe integer that increases); an invalid one
 *   is skipped and counted and never affects the records after it or the next `seq`.
 */
import { mkdirSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { journalRecord, type JournalRecordInput, type StoredJournalRecord } from '../ipc/contract';
import { OperationError } from '../ipc/errors';
import { findSecret, type SecretFinding } from './credential-filter';
import { RecordGuard } from './record-guard';

export interface PendingOperation {
  opId: string;
  intent: StoredJournalRecord & { kind: 'intent' };
}

export interface JournalReadOptions {
  runId?: string;
  /** Newest `limit` records (after the runId filter). */
  limit?: number;
}

export interface JournalReadResult {
  records: StoredJournalRecord[];
  /** Lines that could not be parsed (a torn last line counts here too). */
  skippedLines: number;
}

/** A tenant id or domain turned into a safe file name (no path separators, no dots at the start). */
export function tenantFileName(tenant: string): string {
  const safe = tenant
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 120);
  return `${safe || 'tenant'}.jsonl`;
}

export function journalPath(dataDir: string, tenant: string): string {
  return path.join(dataDir, 'journal', tenantFileName(tenant));
}

interface QueuedAppend {
  line: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class Journal {
  readonly path: string;
  private handle: FileHandle | undefined;
  private nextSeq = 1;
  private ready: Promise<void> | undefined;
  private queue: QueuedAppend[] = [];
  private flushing = false;
  private closed = false;

  constructor(
    readonly dataDir: string,
    readonly tenant: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.path = journalPath(dataDir, tenant);
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
    await this.init();
    const out: { seq: number; at: string }[] = [];
    const lines: string[] = [];
    let seq = this.nextSeq;
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
      const at = this.now().toISOString();
      const line = JSON.stringify({ ...parsed.data, seq, at, tenant: this.tenant });
      lines.push(line);
      out.push({ seq, at });
      seq++;
    }
    this.nextSeq = seq;
    if (lines.length === 0) return out;
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ line: lines.join('\n') + '\n', resolve, reject });
      void this.flush();
    });
    return out;
  }

  /** All records of this tenant (optionally one run's intents and their results), oldest first. */
  async read(options: JournalReadOptions = {}): Promise<JournalReadResult> {
    const { records, skippedLines } = await this.readAll();
    let selected = records;
    if (options.runId !== undefined) {
      const opIds = new Set(records.filter((r) => r.kind === 'intent' && r.runId === options.runId).map((r) => r.opId));
      selected = records.filter((r) => opIds.has(r.opId));
    }
    if (options.limit !== undefined && selected.length > options.limit) selected = selected.slice(-options.limit);
    return { records: selected, skippedLines };
  }

  /** Intents that have no result record: operations a crash may have left unfinished. */
  async pending(): Promise<PendingOperation[]> {
    const { records } = await this.readAll();
    const intents = new Map<string, StoredJournalRecord & { kind: 'intent' }>();
    const finished = new Set<string>();
    for (const r of records) {
      if (r.kind === 'intent') intents.set(r.opId, r);
      else finished.add(r.opId);
    }
    const pending: PendingOperation[] = [];
    for (const [opId, intent] of intents) if (!finished.has(opId)) pending.push({ opId, intent });
    return pending;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 1));
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }

  private async readAll(): Promise<JournalReadResult> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skippedLines: 0 };
      throw e;
    }
    return parseJournalText(text);
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      const dir = path.dirname(this.path);
      mkdirSync(dir, { recursive: true });
      let existing = '';
      try {
        existing = await readFile(this.path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      const { lastSeq } = parseJournalText(existing);
      this.nextSeq = lastSeq + 1;
      const created = existing.length === 0;
      this.handle = await open(this.path, 'a', 0o600);
      // A torn last line (crash mid-write) must not merge with the next record.
      if (existing.length > 0 && !existing.endsWith('\n')) {
        await this.handle.write('\n');
        await this.handle.sync();
      }
      if (created) fsyncDir(dir);
    })();
    return this.ready;
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          const h = this.handle;
          if (!h) throw new Error('journal not open');
          await h.write(batch.map((q) => q.line).join(''));
          await h.sync();
          for (const q of batch) q.resolve();
        } catch (e) {
          for (const q of batch) q.reject(e);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

/** Parse journal text; invalid lines (a torn tail after a crash, a bad record) are skipped and counted. */
export function parseJournalText(text: string): JournalReadResult & { lastSeq: number } {
  const records: StoredJournalRecord[] = [];
  const guard = new RecordGuard();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const r = guard.accept(line);
    if (r.ok) records.push(r.record);
  }
  return { records, skippedLines: guard.rejected, lastSeq: guard.lastSeq };
}

function fsyncDir(dir: string): void {
  // Make the new file's directory entry durable too (not supported on Windows; ignore there).
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
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

function refusal(record: JournalRecordInput, secret: SecretFinding): OperationError {
  const what =
    record.kind === 'intent'
      ? `the ${record.action} intent for ${record.objectType} ${record.objectId}`
      : `the result of ${record.opId}`;
  return new OperationError(
    'refused',
    `Journal record refused: ${secret.path} looks like a credential (${secret.kind}). The journal never stores tokens or secrets; remove it from ${what} and try again.`,
    { path: secret.path, kind: secret.kind, opId: record.opId },
  );
}

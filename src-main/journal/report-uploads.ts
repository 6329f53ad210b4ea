/**
 * Reports and plans saved in parts (`report.saveBegin`, `report.savePart`, `report.saveEnd`, `report.saveAbort`).
 * One bridge call of tens of megabytes holds the renderer's main thread for as long as it takes to serialise and
 * send it, so the renderer sends the text in parts of about 1 MiB, in order.
 *
 * Each part is appended to a temp file in the reports folder, named `.upload-<id>.part` (a leading dot: no report
 * name can take it, so `report.open` never serves it). The end checks that every part arrived (count and
 * characters), fsyncs the temp file, links it under the first free report name (never replacing a file, like
 * `saveReport`), removes the temp name and fsyncs the folder: the path is returned only once the report is durable
 * under its name, so a plan whose save returned a path survives a crash.
 *
 * Nothing half-saved is left behind: a refused or failed part ends its upload and removes the temp file; so do an
 * abort, an upload left idle for `UPLOAD_IDLE_MS`, and shutdown; temp files a crash left are removed at the next
 * begin. See docs/architecture.md ("Saving large reports").
 */
import { randomUUID } from 'node:crypto';
import { link, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { OperationError } from '../ipc/errors';
import { REPORT_MAX_CHARS } from '../ipc/schemas/journal';
import { nodeJournalFs } from './journal-fs';
import { checkedReportsDir, claimReportName, type ReportFormat } from './reports';

/** An upload with no call for this long is dropped (its temp file removed) at the next begin. */
export const UPLOAD_IDLE_MS = 10 * 60_000;
/** Most uploads open at once (a bulk run saves one plan or report at a time). */
export const MAX_OPEN_UPLOADS = 8;

const TEMP_PREFIX = '.upload-';
const TEMP_SUFFIX = '.part';

/** A temp file being written. */
export interface UploadFile {
  append(text: string): Promise<void>;
  /** fsync: resolves once the appended bytes are on stable storage. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file-system port of the uploads (tests record, hold or fail its calls). */
export interface UploadFs {
  /** Create a new file exclusively (mode 0600). */
  create(file: string): Promise<UploadFile>;
  /** Give the file `from` the second name `to`; false (and nothing changed) when `to` exists. */
  linkNew(from: string, to: string): Promise<boolean>;
  /** Remove a name; a missing one is not an error. */
  remove(file: string): Promise<void>;
  list(dir: string): Promise<string[]>;
  /** fsync a directory, so a created or removed name in it is durable. */
  syncDir(dir: string): Promise<void>;
}

/** Errors of `link` that mean "this file system has no hard links" (FAT, exFAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * The node port. `linkFile` is `fs.link`; tests pass one that fails the way a file system without hard links does.
 */
export function makeNodeUploadFs(linkFile: (from: string, to: string) => Promise<void> = link): UploadFs {
  return {
    async create(file) {
      const h = await open(file, 'wx', 0o600);
      return {
        append: async (text) => void (await h.appendFile(text, 'utf8')),
        sync: () => h.sync(),
        close: () => h.close(),
      };
    },
    async linkNew(from, to) {
      try {
        await linkFile(from, to);
        return true;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') return false;
        if (!NO_HARD_LINKS.has(code)) throw e;
      }
      // no hard links here: take the name exclusively (an empty file), then move the temp file over it
      try {
        await (await open(to, 'wx', 0o600)).close();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
      await rename(from, to);
      return true;
    },
    async remove(file) {
      try {
        await unlink(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    },
    async list(dir) {
      try {
        return await readdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    },
    syncDir: (dir) => nodeJournalFs.syncDir(dir),
  };
}

export const nodeUploadFs: UploadFs = makeNodeUploadFs();

interface Upload {
  readonly name: string;
  readonly format: ReportFormat;
  readonly temp: string;
  readonly file: Promise<UploadFile>;
  /** the next part expected */
  next: number;
  chars: number;
  lastCall: number;
  /** every write, in order: a later step waits for the earlier ones */
  chain: Promise<void>;
}

export class ReportUploads {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly dataDir: string,
    private readonly fs: UploadFs = nodeUploadFs,
    private readonly now: () => number = Date.now,
    /** Most characters one report may hold (tests use a small bound). */
    private readonly maxChars: number = REPORT_MAX_CHARS,
  ) {}

  async begin(name: string, format: ReportFormat): Promise<{ uploadId: string }> {
    const dir = checkedReportsDir(this.dataDir, name);
    await this.sweep(dir);
    if (this.uploads.size >= MAX_OPEN_UPLOADS)
      throw new OperationError(
        'busy',
        `${MAX_OPEN_UPLOADS} reports are being saved already; wait until they are saved, then save this one again.`,
      );
    const uploadId = randomUUID();
    const temp = path.join(dir, `${TEMP_PREFIX}${uploadId}${TEMP_SUFFIX}`);
    const file = this.fs.create(temp);
    const upload: Upload = {
      name,
      format,
      temp,
      file,
      next: 0,
      chars: 0,
      lastCall: this.now(),
      chain: Promise.resolve(),
    };
    this.uploads.set(uploadId, upload);
    try {
      await file;
    } catch (e) {
      this.uploads.delete(uploadId);
      throw e;
    }
    return { uploadId };
  }

  async part(uploadId: string, part: number, content: string): Promise<{ chars: number }> {
    const u = this.open(uploadId);
    if (part !== u.next) {
      await this.drop(uploadId, u);
      throw new OperationError(
        'validation',
        `Part ${part} of the report arrived where part ${u.next} was expected; nothing was saved. Save the report again.`,
      );
    }
    if (u.chars + content.length > this.maxChars) {
      await this.drop(uploadId, u);
      throw new OperationError(
        'validation',
        `The report is longer than ${this.maxChars.toLocaleString('en')} characters; nothing was saved.`,
      );
    }
    u.next = part + 1;
    u.chars += content.length;
    const step = u.chain.then(async () => (await u.file).append(content));
    u.chain = step;
    try {
      await step;
    } catch (e) {
      await this.drop(uploadId, u);
      throw new OperationError(
        'unavailable',
        `A part of the report could not be written (${e instanceof Error ? e.message : String(e)}); nothing was saved. Check the free space of the app data folder, then save again.`,
      );
    }
    return { chars: u.chars };
  }

  async end(uploadId: string, parts: number, chars: number): Promise<{ path: string }> {
    const u = this.open(uploadId);
    // finished from here on: a second end, or a late part, finds no upload
    this.uploads.delete(uploadId);
    if (parts !== u.next || chars !== u.chars) {
      await this.remove(u);
      throw new OperationError(
        'validation',
        `The report was sent as ${parts} parts of ${chars} characters, but ${u.next} parts of ${u.chars} characters arrived; nothing was saved. Save it again.`,
      );
    }
    try {
      await u.chain;
      const file = await u.file;
      await file.sync();
      await file.close();
      const saved = await claimReportName(this.dataDir, u.name, u.format, (to) => this.fs.linkNew(u.temp, to));
      await this.fs.remove(u.temp);
      await this.fs.syncDir(path.dirname(saved));
      return { path: saved };
    } catch (e) {
      await this.remove(u);
      throw e;
    }
  }

  async abort(uploadId: string): Promise<{ aborted: boolean }> {
    const u = this.uploads.get(uploadId);
    if (!u) return { aborted: false };
    await this.drop(uploadId, u);
    return { aborted: true };
  }

  /** Remove every open upload's temp file (shutdown). */
  async dispose(): Promise<void> {
    for (const [id, u] of [...this.uploads]) await this.drop(id, u);
  }

  private open(uploadId: string): Upload {
    const u = this.uploads.get(uploadId);
    if (!u)
      throw new OperationError(
        'notFound',
        'No report is being saved under this upload id (it was finished, given up, or never begun); save the report again.',
      );
    u.lastCall = this.now();
    return u;
  }

  private async drop(uploadId: string, u: Upload): Promise<void> {
    this.uploads.delete(uploadId);
    await this.remove(u);
  }

  /** Close and remove an upload's temp file once its earlier writes are done. */
  private async remove(u: Upload): Promise<void> {
    await u.chain.catch(() => undefined);
    const file = await u.file.catch(() => undefined);
    await file?.close().catch(() => undefined);
    await this.fs.remove(u.temp).catch(() => undefined);
  }

  /** Drop idle uploads, and remove temp files no open upload owns (left by a crash). */
  private async sweep(dir: string): Promise<void> {
    const cutoff = this.now() - UPLOAD_IDLE_MS;
    for (const [id, u] of [...this.uploads]) if (u.lastCall < cutoff) await this.drop(id, u);
    const names = await this.fs.list(dir);
    // after the listing: an upload begun meanwhile is in the map before its file can exist
    const owned = new Set([...this.uploads.values()].map((u) => path.basename(u.temp)));
    for (const f of names)
      if (f.startsWith(TEMP_PREFIX) && f.endsWith(TEMP_SUFFIX) && !owned.has(f))
        await this.fs.remove(path.join(dir, f)).catch(() => undefined);
  }
}

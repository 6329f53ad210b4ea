/**
 * An in-memory journal fs port. The journal's own logic (segments, index, paging, quarantine) runs against it without
 * disk I/O or fsync, so those tests cost milliseconds each (they run for every journal mutant under `npm run mutate`).
 * What only a real disk can show (the fsync before an append resolves, the folder fsyncs, the node port itself) is
 * tested over `nodeJournalFs` (journal-durability.test.ts with recording-fs.ts, journal.test.ts).
 *
 * It fails like the node port: a missing file or folder is ENOENT, a closed file refuses writes and fsyncs (EBADF).
 * `readChunks` hands out small chunks (`chunkBytes`), so lines that straddle chunks are read as the disk reader
 * would read them from a larger file.
 */
import path from 'node:path';
import type { JournalFile, JournalFs } from '../../../../src-main/journal/journal-fs';

function fsError(code: string, what: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${what}`), { code });
}

export class MemoryJournalFs implements JournalFs {
  private readonly files = new Map<string, Buffer>();
  private readonly dirs = new Set<string>();
  /** Names of the files closed so far, in order (a handle that is never closed never shows up). */
  readonly closed: string[] = [];
  /** Bytes read per file name. */
  readonly bytesRead = new Map<string, number>();

  constructor(private readonly chunkBytes = 4096) {}

  async mkdir(dir: string): Promise<boolean> {
    const d = path.resolve(dir);
    if (this.dirs.has(d)) return false;
    for (let p = d; !this.dirs.has(p); p = path.dirname(p)) {
      this.dirs.add(p);
      if (p === path.dirname(p)) break;
    }
    return true;
  }

  async list(dir: string): Promise<string[]> {
    const d = path.resolve(dir);
    return [...this.files.keys(), ...this.dirs]
      .filter((p) => p !== d && path.dirname(p) === d)
      .map((p) => path.basename(p));
  }

  async size(file: string): Promise<number | null> {
    return this.files.get(path.resolve(file))?.length ?? null;
  }

  async openAppend(file: string): Promise<JournalFile> {
    const f = path.resolve(file);
    if (!this.dirs.has(path.dirname(f))) throw fsError('ENOENT', `no folder for ${f}`);
    if (!this.files.has(f)) this.files.set(f, Buffer.alloc(0));
    let open = true;
    const name = path.basename(f);
    return {
      write: async (data) => {
        if (!open) throw fsError('EBADF', `${name} is closed`);
        this.files.set(f, Buffer.concat([this.files.get(f) ?? Buffer.alloc(0), data]));
      },
      sync: async () => {
        if (!open) throw fsError('EBADF', `${name} is closed`);
      },
      close: async () => {
        open = false;
        this.closed.push(name);
      },
    };
  }

  async syncDir(dir: string): Promise<void> {
    if (!this.dirs.has(path.resolve(dir))) throw fsError('ENOENT', `no folder ${dir}`);
  }

  async *readChunks(file: string, start: number, end: number): AsyncIterable<Uint8Array> {
    if (end <= start) return; // as the node port: nothing asked, nothing opened
    const data = this.files.get(path.resolve(file));
    if (!data) throw fsError('ENOENT', `no file ${file}`);
    const stop = Math.min(end, data.length);
    for (let p = start; p < stop; p += this.chunkBytes) {
      const chunk = data.subarray(p, Math.min(stop, p + this.chunkBytes));
      const name = path.basename(file);
      this.bytesRead.set(name, (this.bytesRead.get(name) ?? 0) + chunk.length);
      yield chunk;
    }
  }

  async readText(file: string): Promise<string | null> {
    return this.files.get(path.resolve(file))?.toString('utf8') ?? null;
  }

  async replaceFile(file: string, text: string): Promise<void> {
    const f = path.resolve(file);
    if (!this.dirs.has(path.dirname(f))) throw fsError('ENOENT', `no folder for ${f}`);
    this.files.set(f, Buffer.from(text, 'utf8'));
  }

  async rename(from: string, to: string): Promise<void> {
    const data = this.files.get(path.resolve(from));
    if (!data) throw fsError('ENOENT', `no file ${from}`);
    this.files.delete(path.resolve(from));
    this.files.set(path.resolve(to), data);
  }

  // ---- for the tests: look at and change the "disk" behind the journal's back ----

  /** A file's text, or null when it does not exist. */
  text(file: string): string | null {
    return this.files.get(path.resolve(file))?.toString('utf8') ?? null;
  }

  /** Create or replace a file (and its folders). */
  put(file: string, data: string | Buffer): void {
    const f = path.resolve(file);
    void this.mkdir(path.dirname(f));
    this.files.set(f, Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));
  }

  /** Append to a file (created when missing). */
  add(file: string, data: string): void {
    this.put(file, Buffer.concat([this.files.get(path.resolve(file)) ?? Buffer.alloc(0), Buffer.from(data, 'utf8')]));
  }

  remove(file: string): void {
    this.files.delete(path.resolve(file));
  }

  /** Names of the files in a folder, sorted. */
  names(dir: string): string[] {
    const d = path.resolve(dir);
    return [...this.files.keys()]
      .filter((p) => path.dirname(p) === d)
      .map((p) => path.basename(p))
      .sort();
  }
}

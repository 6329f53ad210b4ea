/**
 * The file-system port of the journal. Production uses `nodeJournalFs`; tests inject a port that
 * records (or delays, or fails) each call, so they can see that the fsync of a record happened
 * before its `append()` resolved, and that the directory was fsynced when a segment was created.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';

/** A file opened for appending. */
export interface JournalFile {
  /** Append all of `data` (at the end of the file). */
  write(data: Uint8Array): Promise<void>;
  /** fsync: resolves once the written bytes are on stable storage. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalFs {
  /** Create a directory (and its parents); true when it did not exist before. */
  mkdir(dir: string): Promise<boolean>;
  /** Names of the entries of a directory; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** Size in bytes, or null when the file does not exist. */
  size(file: string): Promise<number | null>;
  openAppend(file: string): Promise<JournalFile>;
  /** fsync a directory, so a created or renamed entry in it is durable. */
  syncDir(dir: string): Promise<void>;
  /** The bytes [start, end) of a file, in chunks (streamed, never the whole file at once). */
  readChunks(file: string, start: number, end: number): AsyncIterable<Uint8Array>;
  /** A small file's text, or null when it does not exist. */
  readText(file: string): Promise<string | null>;
  /** Replace a small file durably: temp file, fsync, rename over, fsync the directory. */
  replaceFile(file: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Errors of a directory fsync that mean "not supported here" (Windows, some network shares). */
export const DIR_SYNC_UNSUPPORTED: ReadonlySet<string> = new Set([
  'EISDIR',
  'EPERM',
  'EACCES',
  'EINVAL',
  'ENOTSUP',
  'EBADF',
]);

export const nodeJournalFs: JournalFs = {
  async mkdir(dir) {
    const first = await mkdir(dir, { recursive: true, mode: 0o700 });
    return first !== undefined;
  },
  async list(dir) {
    try {
      return await readdir(dir);
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
  },
  async size(file) {
    try {
      return (await stat(file)).size;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  },
  async openAppend(file) {
    const h = await open(file, 'a', 0o600);
    return {
      async write(data) {
        let off = 0;
        while (off < data.length) {
          const { bytesWritten } = await h.write(data, off, data.length - off);
          off += bytesWritten;
        }
      },
      sync: () => h.sync(),
      close: () => h.close(),
    };
  },
  async syncDir(dir) {
    if (process.platform === 'win32') return; // directories cannot be opened for fsync on Windows
    let h;
    try {
      h = await open(dir, 'r');
      await h.sync();
    } catch (e) {
      if (!DIR_SYNC_UNSUPPORTED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    } finally {
      await h?.close();
    }
  },
  async *readChunks(file, start, end) {
    if (end <= start) return;
    const stream = createReadStream(file, { start, end: end - 1, highWaterMark: 1 << 20 });
    for await (const chunk of stream) yield chunk as Buffer;
  },
  async readText(file) {
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  },
  async replaceFile(file, text) {
    const tmp = `${file}.${process.pid}.tmp`;
    const h = await open(tmp, 'w', 0o600);
    try {
      await h.writeFile(text, 'utf8');
      await h.sync();
    } finally {
      await h.close();
    }
    await rename(tmp, file);
    await this.syncDir(path.dirname(file));
  },
  rename: (from, to) => rename(from, to),
};

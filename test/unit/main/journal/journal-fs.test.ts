/**
 * The node file-system port of the journal (`nodeJournalFs`), held to its interface on a real temp folder: what a
 * missing file or folder gives, that other errors are not swallowed, the byte range of `readChunks`, that
 * `replaceFile` leaves no temp file and no open handle, and the file modes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DIR_SYNC_UNSUPPORTED, nodeJournalFs as fs } from '../../../../src-main/journal/journal-fs';
import { spyOnHandleSync } from './file-handle-sync';

const linux = process.platform === 'linux';

/** Open file descriptors of this process under `dir` (Linux). */
function openUnder(dir: string): string[] {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(path.join('/proc/self/fd', fd)).startsWith(dir);
    } catch {
      return false;
    }
  });
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(Buffer.from(c));
  return out;
}

describe('nodeJournalFs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-fs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('mkdir says whether it created the folder (with its parents), owner-only', async () => {
    const d = path.join(dir, 'a', 'b');
    expect(await fs.mkdir(d)).toBe(true);
    expect(await fs.mkdir(d)).toBe(false);
    if (process.platform !== 'win32') expect(statSync(d).mode & 0o777).toBe(0o700);
  });

  it('list, size and readText answer "missing" for a missing path and fail on anything else', async () => {
    const file = path.join(dir, 'f.txt');
    writeFileSync(file, 'héllo');
    expect(await fs.list(dir)).toEqual(['f.txt']);
    expect(await fs.list(path.join(dir, 'none'))).toEqual([]);
    expect(await fs.size(file)).toBe(6);
    expect(await fs.size(path.join(dir, 'none'))).toBeNull();
    expect(await fs.readText(file)).toBe('héllo');
    expect(await fs.readText(path.join(dir, 'none'))).toBeNull();
    // a file where a folder is expected: not "missing"
    await expect(fs.list(file)).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(fs.size(path.join(file, 'x'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(fs.readText(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('openAppend appends every byte after what is there, owner-only; a closed file refuses', async () => {
    const file = path.join(dir, 'seg.jsonl');
    writeFileSync(file, 'a\n');
    const h = await fs.openAppend(file);
    await h.write(Buffer.from('b\n'));
    await h.write(Buffer.from('c\n'));
    await h.sync();
    await h.close();
    expect(readFileSync(file, 'utf8')).toBe('a\nb\nc\n');
    await expect(h.write(Buffer.from('d\n'))).rejects.toThrow();
    const fresh = path.join(dir, 'new.jsonl');
    await (await fs.openAppend(fresh)).close();
    if (process.platform !== 'win32') expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it('readChunks gives exactly the bytes [start, end), in chunks of at most 1 MiB', async () => {
    const file = path.join(dir, 'big');
    const data = Buffer.alloc(3 * 1024 * 1024 + 10);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    writeFileSync(file, data);
    const all = await collect(fs.readChunks(file, 0, data.length));
    expect(all.map((c) => c.length)).toEqual([1 << 20, 1 << 20, 1 << 20, 10]);
    expect(Buffer.concat(all).equals(data)).toBe(true);
    expect(Buffer.concat(await collect(fs.readChunks(file, 5, 17))).equals(data.subarray(5, 17))).toBe(true);
    // nothing asked: nothing read, the file is not even opened
    expect(await collect(fs.readChunks(path.join(dir, 'none'), 4, 4))).toEqual([]);
    expect(await collect(fs.readChunks(path.join(dir, 'none'), 4, 3))).toEqual([]);
    await expect(collect(fs.readChunks(path.join(dir, 'none'), 0, 1))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('replaceFile replaces the whole file, owner-only, leaving no temp file and no open handle', async () => {
    const file = path.join(dir, 'index.json');
    writeFileSync(file, 'a much longer old content');
    await fs.replaceFile(file, '{"v":1}');
    expect(readFileSync(file, 'utf8')).toBe('{"v":1}');
    expect(readdirSync(dir)).toEqual(['index.json']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    if (linux) expect(openUnder(dir)).toEqual([]);
  });

  it('rename moves a file; syncDir fsyncs a folder and fails for a missing one', async () => {
    const from = path.join(dir, 'old.jsonl');
    writeFileSync(from, 'x');
    await fs.rename(from, path.join(dir, 'seg-000001.jsonl'));
    expect(readdirSync(dir)).toEqual(['seg-000001.jsonl']);
    await expect(fs.syncDir(dir)).resolves.toBeUndefined();
    if (linux) expect(openUnder(dir)).toEqual([]);
    if (process.platform !== 'win32') {
      await expect(fs.syncDir(path.join(dir, 'none'))).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('sync() is an fsync of the file; replaceFile fsyncs the new content and then the folder', async () => {
    const fsync = await spyOnHandleSync(dir);
    try {
      const h = await fs.openAppend(path.join(dir, 'seg.jsonl'));
      await h.write(Buffer.from('a\n'));
      expect(fsync).toHaveBeenCalledTimes(0);
      await h.sync();
      expect(fsync).toHaveBeenCalledTimes(1);
      await h.close();
      await fs.replaceFile(path.join(dir, 'index.json'), '{}');
      expect(fsync).toHaveBeenCalledTimes(process.platform === 'win32' ? 2 : 3);
    } finally {
      fsync.mockRestore();
    }
  });

  it.runIf(linux)('a folder whose fsync is not supported (EINVAL on /proc) is not an error', async () => {
    await expect(fs.syncDir('/proc/self')).resolves.toBeUndefined();
  });

  it('a folder fsync is skipped only for the errors that mean "not supported here"', () => {
    expect([...DIR_SYNC_UNSUPPORTED].sort()).toEqual(['EACCES', 'EBADF', 'EINVAL', 'EISDIR', 'ENOTSUP', 'EPERM']);
  });
});

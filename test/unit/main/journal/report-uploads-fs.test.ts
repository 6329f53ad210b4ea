/**
 * The node file-system port of the reports saved in parts (`nodeUploadFs`) on a real temp folder, and the edges of
 * `ReportUploads` the main test file leaves open: a file system without hard links (the link fails with one of the
 * "not supported" codes and the name is taken exclusively instead), errors that must not be swallowed, the fsyncs,
 * the idle bound at its edge, what the crash sweep leaves alone, and the exact messages the admin reads.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { link } from 'node:fs/promises';
import {
  makeNodeUploadFs,
  nodeUploadFs,
  ReportUploads,
  UPLOAD_IDLE_MS,
  type UploadFile,
  type UploadFs,
} from '../../../../src-main/journal/report-uploads';
import { reportsDir } from '../../../../src-main/journal/reports';
import { spyOnHandleSync } from './file-handle-sync';

/** `link` as the test wants it: the real one, or one that fails with a chosen code. */
const linkMode = { failWith: undefined as string | undefined };
const linkFs = makeNodeUploadFs((from, to) =>
  linkMode.failWith === undefined
    ? link(from, to)
    : Promise.reject(Object.assign(new Error(`${linkMode.failWith}: link`), { code: linkMode.failWith })),
);

describe('nodeUploadFs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-upload-fs-'));
    linkMode.failWith = undefined;
  });
  afterEach(() => {
    linkMode.failWith = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('links a second name and keeps the first (a hard link, not a move); a taken name is refused', async () => {
    const from = path.join(dir, '.upload-1.part');
    writeFileSync(from, 'text');
    expect(await linkFs.linkNew(from, path.join(dir, 'r.json'))).toBe(true);
    expect(readFileSync(path.join(dir, 'r.json'), 'utf8')).toBe('text');
    expect(existsSync(from)).toBe(true);
    writeFileSync(path.join(dir, 'taken.json'), 'old');
    expect(await linkFs.linkNew(from, path.join(dir, 'taken.json'))).toBe(false);
    expect(readFileSync(path.join(dir, 'taken.json'), 'utf8')).toBe('old');
  });

  it.each(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])(
    'without hard links (%s) it takes the name exclusively and moves the file there; a taken name is refused',
    async (code) => {
      linkMode.failWith = code;
      const from = path.join(dir, '.upload-1.part');
      writeFileSync(from, 'text');
      expect(await linkFs.linkNew(from, path.join(dir, 'r.json'))).toBe(true);
      expect(readFileSync(path.join(dir, 'r.json'), 'utf8')).toBe('text');
      expect(existsSync(from)).toBe(false);
      writeFileSync(from, 'again');
      writeFileSync(path.join(dir, 'taken.json'), 'old');
      expect(await linkFs.linkNew(from, path.join(dir, 'taken.json'))).toBe(false);
      expect(readFileSync(path.join(dir, 'taken.json'), 'utf8')).toBe('old');
      expect(readFileSync(from, 'utf8')).toBe('again');
    },
  );

  it('any other link error, and a failure to take the name, is not swallowed', async () => {
    const from = path.join(dir, '.upload-1.part');
    writeFileSync(from, 'text');
    linkMode.failWith = 'EACCES';
    await expect(linkFs.linkNew(from, path.join(dir, 'r.json'))).rejects.toMatchObject({ code: 'EACCES' });
    expect(readdirSync(dir)).toEqual(['.upload-1.part']);
    linkMode.failWith = 'EPERM';
    await expect(linkFs.linkNew(from, path.join(dir, 'none', 'r.json'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(readdirSync(dir)).toEqual(['.upload-1.part']);
  });

  it('creates a new file only (owner-only), appends UTF-8 and fsyncs through the handle', async () => {
    const file = path.join(dir, '.upload-2.part');
    const fsync = await spyOnHandleSync(dir);
    try {
      const f = await nodeUploadFs.create(file);
      await f.append('é ✓ ');
      await f.append('𝄞');
      expect(fsync).toHaveBeenCalledTimes(0);
      await f.sync();
      expect(fsync).toHaveBeenCalledTimes(1);
      await f.close();
    } finally {
      fsync.mockRestore();
    }
    expect(readFileSync(file, 'utf8')).toBe('é ✓ 𝄞');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(nodeUploadFs.create(file)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('fsyncs a folder; a missing folder is an error', async () => {
    const fsync = await spyOnHandleSync(dir);
    try {
      await nodeUploadFs.syncDir(dir);
      expect(fsync).toHaveBeenCalledTimes(process.platform === 'win32' ? 0 : 1);
    } finally {
      fsync.mockRestore();
    }
    if (process.platform !== 'win32')
      await expect(nodeUploadFs.syncDir(path.join(dir, 'none'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('remove: a missing name is fine, any other error is not swallowed', async () => {
    await expect(nodeUploadFs.remove(path.join(dir, 'none'))).resolves.toBeUndefined();
    mkdirSync(path.join(dir, 'a-folder'));
    await expect(nodeUploadFs.remove(path.join(dir, 'a-folder'))).rejects.toHaveProperty('code');
    expect(existsSync(path.join(dir, 'a-folder'))).toBe(true);
  });

  it('list: a missing folder has no names, any other error is not swallowed', async () => {
    expect(await nodeUploadFs.list(path.join(dir, 'none'))).toEqual([]);
    writeFileSync(path.join(dir, 'a-file'), '');
    await expect(nodeUploadFs.list(path.join(dir, 'a-file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await nodeUploadFs.list(dir)).toEqual(['a-file']);
  });
});

describe('ReportUploads at its edges', () => {
  let dir: string;
  let clock: number;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-uploads-edges-'));
    clock = 1_000_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const files = (): string[] => readdirSync(reportsDir(dir)).sort();
  /** The real port, with `create` and `syncDir` able to fail. */
  const failing = (fail: { create?: boolean; syncDir?: boolean }): UploadFs => ({
    ...nodeUploadFs,
    create: (file): Promise<UploadFile> =>
      fail.create ? Promise.reject(new Error('EACCES: create')) : nodeUploadFs.create(file),
    syncDir: (d) => (fail.syncDir ? Promise.reject(new Error('EIO: folder fsync')) : nodeUploadFs.syncDir(d)),
  });

  it('an upload is idle after exactly ten minutes without a call, not one millisecond earlier', async () => {
    expect(UPLOAD_IDLE_MS).toBe(600_000);
    const uploads = new ReportUploads(dir, nodeUploadFs, () => clock, 100);
    const a = await uploads.begin('a', 'json');
    clock += UPLOAD_IDLE_MS;
    await uploads.begin('b', 'json'); // the sweep: a's last call is exactly at the bound, so it stays
    await expect(uploads.part(a.uploadId, 0, 'x')).resolves.toEqual({ chars: 1 });
  });

  it('the sweep removes only its own temp names: other files of the folder stay', async () => {
    mkdirSync(reportsDir(dir), { recursive: true });
    for (const f of ['notes.part', '.upload-notes.txt', '.upload-left.part'])
      writeFileSync(path.join(reportsDir(dir), f), 'x');
    const uploads = new ReportUploads(dir, nodeUploadFs, () => clock, 100);
    await uploads.begin('a', 'json');
    expect(files().filter((f) => !/^\.upload-[0-9a-f-]{36}\.part$/.test(f))).toEqual([
      '.upload-notes.txt',
      'notes.part',
    ]);
  });

  it('a temp file that cannot be created fails the begin and holds no upload slot', async () => {
    const uploads = new ReportUploads(dir, failing({ create: true }), () => clock, 100);
    // more failed begins than there are slots: each fails on its own create, never as "busy"
    for (let i = 0; i <= 8; i++) await expect(uploads.begin(`r${i}`, 'csv')).rejects.toThrow('EACCES: create');
  });

  it('an end that fails after the parts arrived removes the temp file and passes the error on', async () => {
    const uploads = new ReportUploads(dir, failing({ syncDir: true }), () => clock, 100);
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'abc');
    await expect(uploads.end(uploadId, 1, 3)).rejects.toThrow('EIO: folder fsync');
    expect(files().filter((f) => f.startsWith('.upload-'))).toEqual([]);
  });

  it('a shutdown while a temp file is still being created waits for it and leaves nothing behind', async () => {
    let fail!: () => void;
    const held: UploadFs = {
      ...nodeUploadFs,
      create: () => new Promise<UploadFile>((_, reject) => (fail = () => reject(new Error('EACCES: create')))),
    };
    const uploads = new ReportUploads(dir, held, () => clock, 100);
    const begun = uploads.begin('plan', 'json');
    await vi.waitFor(() => expect(fail).toBeTypeOf('function'));
    const shutdown = uploads.dispose();
    fail();
    await expect(begun).rejects.toThrow('EACCES: create');
    await expect(shutdown).resolves.toBeUndefined();
  });

  it('says what happened and what to do, word for word', async () => {
    const uploads = new ReportUploads(dir, nodeUploadFs, () => clock, 100);
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'abc');
    await expect(uploads.end(uploadId, 2, 7)).rejects.toMatchObject({
      code: 'validation',
      message:
        'The report was sent as 2 parts of 7 characters, but 1 parts of 3 characters arrived; nothing was saved. Save it again.',
    });
    const second = await uploads.begin('plan', 'json');
    await uploads.part(second.uploadId, 0, 'abc');
    // the characters match, the part count does not
    await expect(uploads.end(second.uploadId, 2, 3)).rejects.toMatchObject({
      code: 'validation',
      message:
        'The report was sent as 2 parts of 3 characters, but 1 parts of 3 characters arrived; nothing was saved. Save it again.',
    });
    expect(files()).toEqual([]);
    await expect(uploads.part(uploadId, 1, 'x')).rejects.toMatchObject({
      code: 'notFound',
      message:
        'No report is being saved under this upload id (it was finished, given up, or never begun); save the report again.',
    });
    for (let i = 0; i < 8; i++) await uploads.begin(`r${i}`, 'csv');
    await expect(uploads.begin('one-more', 'csv')).rejects.toMatchObject({
      code: 'busy',
      message: '8 reports are being saved already; wait until they are saved, then save this one again.',
    });
  });
});

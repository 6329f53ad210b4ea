import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reportsDir, saveReport } from '../../../../src-main/journal/reports';
import { contract } from '../../../../src-main/ipc/contract';

describe('saveReport never overwrites evidence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-reports-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a second save of the same name a new name and keeps the first file as it was', async () => {
    const first = await saveReport(dir, 'evidence-x', 'html', '<p>first</p>');
    const second = await saveReport(dir, 'evidence-x', 'html', '<p>second</p>');
    const third = await saveReport(dir, 'evidence-x.html', 'html', '<p>third</p>');
    expect(path.basename(first.path)).toBe('evidence-x.html');
    expect(path.basename(second.path)).toBe('evidence-x-2.html');
    expect(path.basename(third.path)).toBe('evidence-x-3.html');
    expect(readFileSync(first.path, 'utf8')).toBe('<p>first</p>');
    expect(readFileSync(second.path, 'utf8')).toBe('<p>second</p>');
    expect(readFileSync(third.path, 'utf8')).toBe('<p>third</p>');
    expect(readdirSync(reportsDir(dir)).sort()).toEqual(['evidence-x-2.html', 'evidence-x-3.html', 'evidence-x.html']);
  });

  it('leaves a file that is already there untouched, whoever wrote it', async () => {
    mkdirSync(reportsDir(dir), { recursive: true });
    const existing = path.join(reportsDir(dir), 'run-1.csv');
    writeFileSync(existing, 'original evidence\n');
    const saved = await saveReport(dir, 'run-1', 'csv', 'new\n');
    expect(saved.path).not.toBe(existing);
    expect(readFileSync(existing, 'utf8')).toBe('original evidence\n');
  });

  it('does not write through a symbolic link planted under the report name', async () => {
    mkdirSync(reportsDir(dir), { recursive: true });
    const outside = path.join(dir, 'outside.txt');
    writeFileSync(outside, 'keep me\n');
    symlinkSync(outside, path.join(reportsDir(dir), 'plan.json'));
    const saved = await saveReport(dir, 'plan', 'json', '{}');
    expect(path.basename(saved.path)).toBe('plan-2.json');
    expect(readFileSync(outside, 'utf8')).toBe('keep me\n');
  });

  it('runs concurrent saves of one name into distinct files', async () => {
    const saved = await Promise.all(
      Array.from({ length: 8 }, (_, i) => saveReport(dir, 'same', 'json', JSON.stringify({ i }))),
    );
    expect(new Set(saved.map((s) => s.path)).size).toBe(8);
    const contents = saved.map((s) => (JSON.parse(readFileSync(s.path, 'utf8')) as { i: number }).i).sort();
    expect(contents).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('names every variant so that report.open and report.saveAs accept it, even at the longest name', async () => {
    const long = 'r'.repeat(120);
    const saved = [];
    for (let i = 0; i < 3; i++) saved.push(await saveReport(dir, long, 'csv', `${i}\n`));
    for (const s of saved) {
      const file = path.basename(s.path);
      expect(contract['report.open'].input.safeParse({ file }).success).toBe(true);
      expect(contract['report.saveAs'].input.safeParse({ file }).success).toBe(true);
    }
    expect(new Set(saved.map((s) => s.path)).size).toBe(3);
    expect(saved.map((s) => readFileSync(s.path, 'utf8'))).toEqual(['0\n', '1\n', '2\n']);
  });

  it('still refuses names outside the pattern', async () => {
    for (const name of ['../evil', '.hidden', 'a/b', 'x'.repeat(121), '', 'bad name']) {
      await expect(saveReport(dir, name, 'html', 'x')).rejects.toMatchObject({
        code: 'validation',
        message: 'Invalid report name.',
      });
    }
    // the pattern is anchored at both ends
    await expect(saveReport(dir, 'ok/..', 'html', 'x')).rejects.toMatchObject({ code: 'validation' });
    await expect(saveReport(dir, '../ok', 'html', 'x')).rejects.toMatchObject({ code: 'validation' });
    expect(path.basename((await saveReport(dir, 'x'.repeat(120), 'html', 'x')).path)).toBe(`${'x'.repeat(120)}.html`);
  });

  it('tries every variant up to the limit, then says how many reports of that name there are', async () => {
    const names = [];
    for (let i = 0; i < 3; i++)
      names.push(path.basename((await saveReport(dir, 'x', 'csv', `${i}`, { maxVariants: 3 })).path));
    expect(names).toEqual(['x.csv', 'x-2.csv', 'x-3.csv']);
    await expect(saveReport(dir, 'x', 'csv', 'more', { maxVariants: 3 })).rejects.toMatchObject({
      code: 'conflict',
      message: `There are already 3 reports named "x" in ${reportsDir(dir)}; move some of them elsewhere and save again.`,
    });
  });

  it('a file that cannot be created for another reason than "exists" fails the save at once', async () => {
    const tried: string[] = [];
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const saving = saveReport(dir, 'plan', 'json', '{}', {
      openExclusive: (file) => {
        tried.push(path.basename(file));
        return Promise.reject(full);
      },
    });
    await expect(saving).rejects.toBe(full);
    expect(tried).toEqual(['plan.json']);
  });

  it('a write that fails closes and removes its partial file, and fails the save', async () => {
    const saving = saveReport(dir, 'plan', 'json', '{"long":"content"}', {
      openExclusive: async (file) => {
        const h = await open(file, 'wx', 0o600);
        return {
          writeFile: async (data: string) => {
            await h.writeFile(data.slice(0, 4));
            throw new Error('EIO: write failed');
          },
          sync: () => h.sync(),
          close: () => h.close(),
        } as unknown as Pick<FileHandle, 'writeFile' | 'sync' | 'close'>;
      },
    });
    await expect(saving).rejects.toThrow('EIO: write failed');
    expect(readdirSync(reportsDir(dir))).toEqual([]);
    if (process.platform === 'linux') {
      const open_ = readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(path.join('/proc/self/fd', fd)).startsWith(dir);
        } catch {
          return false;
        }
      });
      expect(open_).toEqual([]);
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
    await expect(saveReport(dir, '../evil', 'html', 'x')).rejects.toMatchObject({ code: 'validation' });
    await expect(saveReport(dir, '.hidden', 'html', 'x')).rejects.toMatchObject({ code: 'validation' });
  });
});

/**
 * A report saved in parts (`ReportUploads`): the parts in order make exactly the saved text; anything refused or
 * failed leaves no file behind (neither the temp file nor a report); the path comes back only once the report is
 * fsynced under its name.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contract } from '../../../../src-main/ipc/contract';
import {
  MAX_OPEN_UPLOADS,
  nodeUploadFs,
  ReportUploads,
  UPLOAD_IDLE_MS,
  type UploadFs,
} from '../../../../src-main/journal/report-uploads';
import { reportsDir } from '../../../../src-main/journal/reports';
import { settled } from './recording-fs';

/** The real file system, every call recorded; `sync` / `syncDir` can be held, the next append can fail. */
class RecordingUploadFs implements UploadFs {
  readonly events: string[] = [];
  failNextAppend: Error | undefined;
  private held = new Map<string, { reached: () => void; released: Promise<void> }>();

  hold(kind: 'sync' | 'syncDir'): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    const r = new Promise<void>((res) => (reached = res));
    let release!: () => void;
    const released = new Promise<void>((res) => (release = res));
    this.held.set(kind, { reached, released });
    return { reached: r, release };
  }
  private async gate(kind: string): Promise<void> {
    const h = this.held.get(kind);
    if (!h) return;
    this.held.delete(kind);
    h.reached();
    await h.released;
  }

  async create(file: string) {
    this.events.push(`create ${path.basename(file)}`);
    const f = await nodeUploadFs.create(file);
    return {
      append: async (text: string) => {
        const fail = this.failNextAppend;
        if (fail) {
          this.failNextAppend = undefined;
          await f.append(text.slice(0, 1)); // a torn write: some bytes reach the file
          throw fail;
        }
        this.events.push(`append ${text.length}`);
        await f.append(text);
      },
      sync: async () => {
        await this.gate('sync');
        await f.sync();
        this.events.push('sync');
      },
      close: async () => {
        this.events.push('close');
        await f.close();
      },
    };
  }
  async linkNew(from: string, to: string) {
    const linked = await nodeUploadFs.linkNew(from, to);
    this.events.push(`link ${path.basename(to)} ${linked ? 'ok' : 'taken'}`);
    return linked;
  }
  async remove(file: string) {
    this.events.push(`remove ${path.basename(file).startsWith('.upload-') ? 'temp' : path.basename(file)}`);
    await nodeUploadFs.remove(file);
  }
  list(dir: string) {
    return nodeUploadFs.list(dir);
  }
  async syncDir(dir: string) {
    await this.gate('syncDir');
    await nodeUploadFs.syncDir(dir);
    this.events.push(`syncDir ${path.basename(dir)}`);
  }
}

describe('a report saved in parts', () => {
  let dir: string;
  let fs: RecordingUploadFs;
  let clock: number;
  let uploads: ReportUploads;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-uploads-'));
    fs = new RecordingUploadFs();
    clock = 1_000_000;
    uploads = new ReportUploads(dir, fs, () => clock, 100);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const files = (): string[] => readdirSync(reportsDir(dir)).sort();

  async function save(name: string, parts: string[]): Promise<string> {
    const { uploadId } = await uploads.begin(name, 'json');
    let i = 0;
    for (const p of parts) await uploads.part(uploadId, i++, p);
    const chars = parts.reduce((n, p) => n + p.length, 0);
    return (await uploads.end(uploadId, parts.length, chars)).path;
  }

  it('saves exactly the parts in order under the report name, and leaves no temp file', async () => {
    const text = ['{\n  "a": ', '"é ✓ 𝄞"', ',\n  "b": [1, 2]\n}'];
    const saved = await save('bulk-plan-p1', text);
    expect(saved).toBe(path.join(reportsDir(dir), 'bulk-plan-p1.json'));
    expect(readFileSync(saved, 'utf8')).toBe(text.join(''));
    expect(files()).toEqual(['bulk-plan-p1.json']);
    expect(contract['report.open'].input.safeParse({ file: path.basename(saved) }).success).toBe(true);
  });

  it('never replaces a report: a name that is taken gets the next numbered name, the old file untouched', async () => {
    mkdirSync(reportsDir(dir), { recursive: true });
    writeFileSync(path.join(reportsDir(dir), 'plan.json'), 'original evidence');
    const saved = await save('plan', ['new']);
    expect(path.basename(saved)).toBe('plan-2.json');
    expect(readFileSync(path.join(reportsDir(dir), 'plan.json'), 'utf8')).toBe('original evidence');
    expect(readFileSync(saved, 'utf8')).toBe('new');
    expect(fs.events).toContain('link plan.json taken');
    expect(files()).toEqual(['plan-2.json', 'plan.json']);
  });

  it('returns the path only after the file was fsynced, named, and the folder fsynced', async () => {
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'abc');
    const syncDir = fs.hold('syncDir');
    const end = uploads.end(uploadId, 1, 3);
    await syncDir.reached;
    expect(await settled(end)).toBe(false);
    syncDir.release();
    expect(await end).toEqual({ path: path.join(reportsDir(dir), 'plan.json') });
    const order = fs.events.filter((e) => !e.startsWith('create'));
    expect(order).toEqual(['append 3', 'sync', 'close', 'link plan.json ok', 'remove temp', 'syncDir reports']);
  });

  it('does not name the file before its fsync is done', async () => {
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'abc');
    const sync = fs.hold('sync');
    const end = uploads.end(uploadId, 1, 3);
    await sync.reached;
    expect(await settled(end)).toBe(false);
    expect(existsSync(path.join(reportsDir(dir), 'plan.json'))).toBe(false);
    sync.release();
    await end;
    expect(readFileSync(path.join(reportsDir(dir), 'plan.json'), 'utf8')).toBe('abc');
  });

  it('refuses a part out of order, ends the upload and leaves nothing behind', async () => {
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'a');
    await expect(uploads.part(uploadId, 2, 'c')).rejects.toMatchObject({
      code: 'validation',
      message: expect.stringContaining('Part 2 of the report arrived where part 1 was expected'),
    });
    await expect(uploads.part(uploadId, 1, 'b')).rejects.toMatchObject({ code: 'notFound' });
    await expect(uploads.end(uploadId, 2, 2)).rejects.toMatchObject({ code: 'notFound' });
    expect(files()).toEqual([]);
  });

  it('refuses a part sent twice', async () => {
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'a');
    await expect(uploads.part(uploadId, 0, 'a')).rejects.toMatchObject({ code: 'validation' });
    expect(files()).toEqual([]);
  });

  it('a part that fails to be written leaves neither a temp file nor a report', async () => {
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'first');
    fs.failNextAppend = new Error('ENOSPC: no space left on device');
    await expect(uploads.part(uploadId, 1, 'second')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('ENOSPC'),
    });
    expect(files()).toEqual([]);
    await expect(uploads.end(uploadId, 2, 11)).rejects.toMatchObject({ code: 'notFound' });
    expect(files()).toEqual([]);
  });

  it('saves nothing when the end does not match what arrived', async () => {
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'abc');
    await expect(uploads.end(uploadId, 2, 6)).rejects.toMatchObject({ code: 'validation' });
    const other = await uploads.begin('plan', 'json');
    await uploads.part(other.uploadId, 0, 'abc');
    await expect(uploads.end(other.uploadId, 1, 4)).rejects.toMatchObject({ code: 'validation' });
    expect(files()).toEqual([]);
  });

  it('refuses a report over the character bound and drops it', async () => {
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'x'.repeat(60));
    await uploads.part(uploadId, 1, 'x'.repeat(40));
    await expect(uploads.part(uploadId, 2, 'x')).rejects.toMatchObject({
      code: 'validation',
      message: expect.stringContaining('longer than 100 characters'),
    });
    expect(files()).toEqual([]);
  });

  it('refuses an unknown or finished upload id', async () => {
    const unknown = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    await expect(uploads.part(unknown, 0, 'x')).rejects.toMatchObject({ code: 'notFound' });
    await expect(uploads.end(unknown, 0, 0)).rejects.toMatchObject({ code: 'notFound' });
    const { uploadId } = await uploads.begin('plan', 'json');
    await uploads.part(uploadId, 0, 'x');
    await uploads.end(uploadId, 1, 1);
    await expect(uploads.part(uploadId, 1, 'y')).rejects.toMatchObject({ code: 'notFound' });
    await expect(uploads.end(uploadId, 1, 1)).rejects.toMatchObject({ code: 'notFound' });
    expect(files()).toEqual(['plan.json']);
    expect(readFileSync(path.join(reportsDir(dir), 'plan.json'), 'utf8')).toBe('x');
  });

  it('an abort and a shutdown remove the temp files; an aborted upload takes no more parts', async () => {
    const a = await uploads.begin('a', 'json');
    await uploads.part(a.uploadId, 0, 'x');
    const b = await uploads.begin('b', 'json');
    expect(files()).toHaveLength(2);
    expect(await uploads.abort(a.uploadId)).toEqual({ aborted: true });
    expect(await uploads.abort(a.uploadId)).toEqual({ aborted: false });
    await expect(uploads.part(a.uploadId, 1, 'y')).rejects.toMatchObject({ code: 'notFound' });
    expect(files()).toHaveLength(1);
    await uploads.dispose();
    expect(files()).toEqual([]);
    await expect(uploads.end(b.uploadId, 0, 0)).rejects.toMatchObject({ code: 'notFound' });
  });

  it('drops an idle upload and a crash leftover at the next begin, keeps the live ones and the reports', async () => {
    mkdirSync(reportsDir(dir), { recursive: true });
    writeFileSync(path.join(reportsDir(dir), '.upload-left-by-a-crash.part'), 'half');
    writeFileSync(path.join(reportsDir(dir), 'kept.json'), '{}');
    const idle = await uploads.begin('idle', 'json');
    expect(files()).toEqual([expect.stringMatching(/^\.upload-.*\.part$/), 'kept.json']); // the leftover is gone
    clock += UPLOAD_IDLE_MS - 1;
    const live = await uploads.begin('live', 'json');
    await uploads.part(idle.uploadId, 0, 'still here'); // not idle yet: a call keeps it
    clock += UPLOAD_IDLE_MS + 1;
    await uploads.part(live.uploadId, 0, 'x');
    await uploads.begin('third', 'json');
    await expect(uploads.part(idle.uploadId, 1, 'y')).rejects.toMatchObject({ code: 'notFound' });
    expect(await uploads.end(live.uploadId, 1, 1)).toEqual({ path: path.join(reportsDir(dir), 'live.json') });
    expect(files().filter((f) => !f.startsWith('.upload-'))).toEqual(['kept.json', 'live.json']);
    expect(files().filter((f) => f.startsWith('.upload-'))).toHaveLength(1); // "third", still open
  });

  it('uploads begun at the same time do not sweep each other away', async () => {
    const begun = await Promise.all(['a', 'b', 'c', 'd'].map((n) => uploads.begin(n, 'csv')));
    await Promise.all(begun.map((b, i) => uploads.part(b.uploadId, 0, `text ${i}`)));
    const saved = await Promise.all(begun.map((b) => uploads.end(b.uploadId, 1, 6)));
    expect(saved.map((x) => readFileSync(x.path, 'utf8'))).toEqual(['text 0', 'text 1', 'text 2', 'text 3']);
    expect(files()).toEqual(['a.csv', 'b.csv', 'c.csv', 'd.csv']);
  });

  it(`refuses more than ${MAX_OPEN_UPLOADS} uploads at once`, async () => {
    for (let i = 0; i < MAX_OPEN_UPLOADS; i++) await uploads.begin(`r${i}`, 'csv');
    await expect(uploads.begin('one-more', 'csv')).rejects.toMatchObject({ code: 'busy' });
  });

  it('refuses a name outside the report pattern before creating anything', async () => {
    await expect(uploads.begin('../evil', 'json')).rejects.toMatchObject({ code: 'validation' });
    await expect(uploads.begin('.hidden', 'json')).rejects.toMatchObject({ code: 'validation' });
    expect(fs.events).toEqual([]);
  });
});

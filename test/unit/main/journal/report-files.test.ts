import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices } from '../../../../src-main/services';
import type { ServiceConfig } from '../../../../src-main/service-module';
import { reportFilePath } from '../../../../src-main/journal/report-files';

const sender = { kind: 'bridge', remoteAddress: '127.0.0.1' } as const;

describe('report.open and report.saveAs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-report-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function withServices(
    reportFiles: ServiceConfig['reportFiles'],
    body: (call: (n: string, i: unknown) => Promise<unknown>) => Promise<void>,
  ): Promise<void> {
    const services = createServices({
      transport: 'electron',
      dataDir: dir,
      settingsOverride: { tenant: 'lab.example' },
      validateSender: () => true,
      ...(reportFiles ? { reportFiles } : {}),
    });
    try {
      await body((n, i) => services.router.dispatch(n, i, sender, () => {}));
    } finally {
      await services.dispose();
    }
  }

  it('desktop: opens the saved file with the system viewer and copies it where the admin chooses', async () => {
    const opened: string[] = [];
    const copies: string[] = [];
    await withServices(
      {
        openPath: async (f) => (opened.push(f), ''),
        saveCopy: async (f, name) => (copies.push(readFileSync(f, 'utf8')), `/chosen/${name}`),
      },
      async (call) => {
        expect(await call('report.save', { name: 'transfer-abc', format: 'html', content: '<p>x</p>' })).toMatchObject({
          ok: true,
        });
        expect(await call('report.open', { file: 'transfer-abc.html' })).toEqual({
          ok: true,
          value: { opened: true, url: null },
        });
        expect(opened).toEqual([path.join(dir, 'reports', 'transfer-abc.html')]);
        expect(await call('report.saveAs', { file: 'transfer-abc.html' })).toEqual({
          ok: true,
          value: { savedTo: '/chosen/transfer-abc.html', url: null },
        });
        expect(copies).toEqual(['<p>x</p>']);
        expect(await call('report.open', { file: 'missing.html' })).toMatchObject({
          ok: false,
          error: { code: 'notFound' },
        });
        expect(await call('report.open', { file: '../settings.json' })).toMatchObject({
          ok: false,
          error: { code: 'validation' },
        });
      },
    );
  });

  it('desktop: a viewer that cannot open the file is an error with its reason', async () => {
    await withServices({ openPath: async () => 'No application is associated' }, async (call) => {
      await call('report.save', { name: 'r', format: 'json', content: '{}' });
      expect(await call('report.open', { file: 'r.json' })).toMatchObject({
        ok: false,
        error: { code: 'unavailable', message: expect.stringMatching(/No application/) },
      });
    });
  });

  it('browser mode: answers with the served URL (inline to open, attachment to save)', async () => {
    const dispositions: string[] = [];
    const url = (f: string, d: 'inline' | 'attachment') => (
      dispositions.push(d),
      `/reports/${f}${d === 'attachment' ? '?download=1' : ''}`
    );
    await withServices({ url }, async (call) => {
      await call('report.save', { name: 'r', format: 'html', content: 'x' });
      expect(await call('report.open', { file: 'r.html' })).toEqual({
        ok: true,
        value: { opened: false, url: '/reports/r.html' },
      });
      expect(await call('report.saveAs', { file: 'r.html' })).toEqual({
        ok: true,
        value: { savedTo: null, url: '/reports/r.html?download=1' },
      });
    });
    expect(dispositions).toEqual(['inline', 'attachment']);
  });

  it('a transport that can neither open, copy nor serve files says where the report is', async () => {
    const full = path.join(dir, 'reports', 'r.html');
    const cannotOpen = {
      ok: false,
      error: { code: 'unavailable', message: `Open ${full} yourself; this transport cannot open files.` },
    };
    const cannotSave = {
      ok: false,
      error: { code: 'unavailable', message: `Copy ${full} yourself; this transport cannot save files.` },
    };
    await withServices(undefined, async (call) => {
      await call('report.save', { name: 'r', format: 'html', content: 'x' });
      expect(await call('report.open', { file: 'r.html' })).toMatchObject(cannotOpen);
      expect(await call('report.saveAs', { file: 'r.html' })).toMatchObject(cannotSave);
    });
    // one capability without the other
    await withServices({ saveCopy: async () => '/chosen/r.html' }, async (call) => {
      expect(await call('report.open', { file: 'r.html' })).toMatchObject(cannotOpen);
    });
    await withServices({ openPath: async () => '' }, async (call) => {
      expect(await call('report.saveAs', { file: 'r.html' })).toMatchObject(cannotSave);
    });
  });

  it('reportFilePath takes only a plain report file name of the reports folder; a missing one says so', () => {
    // The IPC contract checks the name first; this is the guard for any other caller.
    mkdirSync(path.join(dir, 'reports'));
    writeFileSync(path.join(dir, 'reports', 'r.html'), 'x');
    expect(reportFilePath(dir, 'r.html')).toBe(path.join(dir, 'reports', 'r.html'));
    for (const file of ['_r.html', 'r.html.bak', 'r.txt', '../settings.json', 'sub/r.html', '..']) {
      expect(() => reportFilePath(dir, file), file).toThrow(
        expect.objectContaining({ code: 'validation', message: 'Invalid report name.' }),
      );
    }
    expect(() => reportFilePath(dir, 'gone.html')).toThrow(
      expect.objectContaining({
        code: 'notFound',
        message: `The report gone.html is not in ${path.join(dir, 'reports')} any more. Save the report again.`,
      }),
    );
  });
});

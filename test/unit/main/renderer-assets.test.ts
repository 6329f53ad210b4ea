/**
 * The handler behind the app://soa-pilot/ scheme (and browser mode's static files), in plain Node:
 * MIME types, the CSP header and meta tag, traversal refused in every spelling, 404 for the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  APP_INDEX_URL,
  APP_ORIGIN,
  lookupRendererAsset,
  rendererRequestHandler,
} from '../../../src-main/renderer-assets';
import { contentSecurityPolicy } from '../../../src-main/bridge/content-security-policy';

let base: string;
let dir: string;
const csp = contentSecurityPolicy(['https://graph.microsoft.com']);
const metaCsp = contentSecurityPolicy(['https://graph.microsoft.com'], { delivery: 'meta' });
let handle: (request: Request) => Promise<Response>;

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'soa-assets-'));
  dir = path.join(base, 'renderer');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; connect-src https://build.example"><script type="module" src="./assets/index-Ab_1.js"></script></head><body></body></html>',
  );
  writeFileSync(path.join(dir, 'assets', 'index-Ab_1.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'assets', 'index-Ab_1.css'), 'body{}');
  writeFileSync(path.join(dir, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(path.join(dir, 'assets', 'font.woff2'), 'x');
  writeFileSync(path.join(dir, 'assets', 'notes.txt'), 'not a build output type');
  writeFileSync(path.join(base, 'secret.js'), 'outside the renderer folder');
  writeFileSync(path.join(base, 'settings.json'), '{"secret":true}');
  mkdirSync(path.join(base, 'renderer-evil'));
  writeFileSync(path.join(base, 'renderer-evil', 'x.js'), 'sibling with a shared prefix');
  symlinkSync(path.join(base, 'secret.js'), path.join(dir, 'assets', 'link.js'));
  handle = rendererRequestHandler({ rendererDir: dir, csp, metaCsp, origin: APP_ORIGIN });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

describe('app:// scheme handler', () => {
  it('serves index.html for / and /index.html with the CSP header, and puts the same policy in the meta tag', async () => {
    for (const url of [`${APP_ORIGIN}/`, APP_INDEX_URL]) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(csp);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      expect(html).toContain(`content="${metaCsp.replace(/'/g, "'")}"`);
      expect(html).not.toContain('build.example');
      expect(html.match(/Content-Security-Policy/g)).toHaveLength(1);
    }
  });

  it('answers each asset with its MIME type and the CSP header', async () => {
    const cases: [string, string][] = [
      ['assets/index-Ab_1.js', 'text/javascript; charset=utf-8'],
      ['assets/index-Ab_1.css', 'text/css; charset=utf-8'],
      ['assets/logo.svg', 'image/svg+xml'],
      ['assets/font.woff2', 'font/woff2'],
    ];
    for (const [file, type] of cases) {
      const res = await get(`${APP_ORIGIN}/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(type);
      expect(res.headers.get('content-security-policy'), file).toBe(csp);
    }
    expect(await (await get(`${APP_ORIGIN}/assets/index-Ab_1.js`)).text()).toBe('console.log(1)');
  });

  it('refuses path traversal in every spelling (plain, encoded, double-encoded, backslash, NUL, symlink)', async () => {
    const attempts = [
      '/../secret.js',
      '/assets/../../secret.js',
      '/%2e%2e/secret.js',
      '/%2E%2E%2Fsecret.js',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.js',
      '/..%2fsecret.js',
      '/..%5csecret.js',
      '/assets\\..\\..\\secret.js',
      '/%5c..%5csecret.js',
      '/%252e%252e/secret.js',
      '/assets/index-Ab_1.js%00.html',
      '/assets/link.js',
      '/../renderer-evil/x.js',
      '/%2e%2e/renderer-evil/x.js',
      '/C:%5cWindows%5cwin.ini',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
    ];
    for (const p of attempts) {
      const res = await get(`${APP_ORIGIN}${p}`);
      expect([400, 404], p).toContain(res.status);
      const body = await res.text();
      expect(body, p).not.toContain('outside');
      expect(body, p).not.toContain('sibling');
      // and the lookup itself, with the raw path (no URL normalisation in between)
      expect((await lookupRendererAsset(dir, p)).status, p).not.toBe(200);
    }
  });

  it('answers 404 for missing files, folders, unserved types and other hosts', async () => {
    for (const url of [
      `${APP_ORIGIN}/nope.js`,
      `${APP_ORIGIN}/assets`,
      `${APP_ORIGIN}/assets/`,
      `${APP_ORIGIN}/assets/notes.txt`,
      'app://other-host/index.html',
      'https://soa-pilot/index.html',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers.get('content-security-policy'), url).toBe(csp);
    }
  });

  it('answers 400 for malformed percent-encoding and 405 for writes', async () => {
    expect((await get(`${APP_ORIGIN}/assets/%E0%A4%A.js`)).status).toBe(400);
    expect((await get(`${APP_ORIGIN}/%`)).status).toBe(400);
    expect((await get(APP_INDEX_URL, 'POST')).status).toBe(405);
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Router } from '../../../../src-main/ipc/router';
import { startBridge, type BridgeHandle } from '../../../../src-main/bridge/server';

let bridge: BridgeHandle;
let release: () => void = () => {};

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soa-bridge-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>soa-pilot</title>');
  writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(os.tmpdir(), 'outside-secret.txt'), 'secret');
  mkdirSync(path.join(dir, 'reports'));
  writeFileSync(path.join(dir, 'reports', 'transfer-abc.html'), '<!doctype html><title>report</title>');
  const router = new Router({ validateSender: (s) => s.kind === 'bridge' }).register({
    'app.ping': ({ message }) => ({ echo: message, at: new Date().toISOString() }),
    'server.waitForSyncCycle': async (input, ctx) => {
      ctx.emit({ phase: 'running', elapsedMs: 1, connector: null, message: 'working' });
      await new Promise<void>((r) => (release = r));
      return { t0: input.t0, finishedAt: new Date().toISOString(), runs: [], allSucceeded: true };
    },
  });
  bridge = await startBridge({
    router,
    rendererDir: dir,
    token: 'test-token-0123456789',
    connectOrigins: ['https://graph.microsoft.com'],
    reportsDir: path.join(dir, 'reports'),
  });
});
afterAll(() => bridge.close());

const rpc = (op: string, body: string, headers: Record<string, string> = { 'x-soa-token': 'test-token-0123456789' }) =>
  fetch(`${bridge.origin}/rpc/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

/** The asset cookie the bridge sets when the printed URL is opened (`name=value`). */
async function assetCookie(): Promise<string> {
  const first = await fetch(bridge.url, { redirect: 'manual' });
  return (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe('browser-mode bridge', () => {
  it('serves a saved report only with the asset cookie and a single-use ticket, inline or as a download, nothing outside', async () => {
    const cookie = await assetCookie();
    const get = (p: string, c?: string) => fetch(`${bridge.origin}${p}`, c ? { headers: { cookie: c } } : {});
    const inlineUrl = bridge.reportUrl('transfer-abc.html', 'inline');
    expect(inlineUrl).toMatch(/^\/reports\/transfer-abc\.html\?ticket=[\w-]{20,}$/);
    expect((await get(inlineUrl)).status).toBe(401);
    expect((await get(inlineUrl, 'soa_session=test-token-0123456789')).status).toBe(401);
    const inline = await get(inlineUrl, cookie);
    expect(inline.status).toBe(200);
    expect(await inline.text()).toContain('<title>report</title>');
    expect(inline.headers.get('content-disposition')).toMatch(/^inline/);
    expect(inline.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    // single use, and the cookie alone opens no report
    expect((await get(inlineUrl, cookie)).status).toBe(403);
    expect((await get('/reports/transfer-abc.html', cookie)).status).toBe(403);
    const download = await get(bridge.reportUrl('transfer-abc.html', 'attachment'), cookie);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="transfer-abc.html"');
    // a ticket is bound to its file
    const ticket = new URL(bridge.reportUrl('transfer-abc.html', 'inline'), bridge.origin).searchParams.get('ticket');
    expect((await get(`/reports/other.html?ticket=${ticket}`, cookie)).status).toBe(403);
    const outside = bridge.reportUrl('../outside-secret.txt', 'inline').replace('..%2F', '..%2F');
    expect((await get(outside, cookie)).status).toBe(404);
    expect((await get(bridge.reportUrl('missing.html', 'inline'), cookie)).status).toBe(404);
  });

  it('binds to 127.0.0.1 and prints a URL carrying the token', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=test-token-0123456789$/);
  });

  it('answers an RPC without the token with 401', async () => {
    const res = await rpc('app.ping', '{"message":"x"}', {});
    expect(res.status).toBe(401);
    const wrong = await rpc('app.ping', '{"message":"x"}', { 'x-soa-token': 'test-token-0123456788' });
    expect(wrong.status).toBe(401);
  });

  it('does not accept the cookie alone for RPC (CSRF)', async () => {
    const res = await rpc('app.ping', '{"message":"x"}', { cookie: await assetCookie() });
    expect(res.status).toBe(401);
  });

  it('the cookie carries its own secret, never the RPC token, and the RPC and event checks refuse it', async () => {
    const cookie = await assetCookie();
    const secret = cookie.split('=')[1] ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(secret).not.toBe('test-token-0123456789');
    expect(cookie).not.toContain('test-token-0123456789');
    // the cookie's value in the token header is refused, with or without the cookie
    expect((await rpc('app.ping', '{"message":"x"}', { 'x-soa-token': secret })).status).toBe(401);
    expect((await rpc('app.ping', '{"message":"x"}', { 'x-soa-token': secret, cookie })).status).toBe(401);
    // the event stream needs the header token too: the cookie alone is refused
    expect((await fetch(`${bridge.origin}/events`, { headers: { cookie } })).status).toBe(401);
    // while the cookie still opens the static files
    expect((await fetch(`${bridge.origin}/`, { headers: { cookie } })).status).toBe(200);
    // and the token is no cookie: a cookie holding it opens nothing
    expect(
      (await fetch(`${bridge.origin}/`, { headers: { cookie: 'soa_session=test-token-0123456789' } })).status,
    ).toBe(401);
  });

  it('runs an operation through the router', async () => {
    const res = await rpc('app.ping', '{"message":"héllo ✓"}');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, value: { echo: 'héllo ✓' } });
  });

  it('turns malformed payloads into structured validation errors, not crashes', async () => {
    const notJson = await rpc('app.ping', '{"message":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      ok: false,
      error: { code: 'validation', message: 'The request body is not valid JSON.' },
    });
    const wrongType = await rpc('app.ping', '{"message":[1,2]}');
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({
      ok: false,
      error: { code: 'validation', detail: [{ path: 'message' }] },
    });
    // still alive
    expect((await rpc('app.ping', '{"message":"ok"}')).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    // fetch cannot forge Host; a raw request can, exactly like a rebinding page's browser would send it.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${bridge.origin}/rpc/app.ping`,
        { method: 'POST', headers: { host: 'evil.example', 'x-soa-token': 'test-token-0123456789' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{"message":"x"}');
    });
    expect(status).toBe(403);
  });

  it('sets an HttpOnly SameSite=Strict cookie from the URL token and serves the app with a CSP', async () => {
    const first = await fetch(bridge.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/#token=test-token-0123456789');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${bridge.origin}/`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://graph.microsoft.com");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('soa-pilot');
    expect((await fetch(`${bridge.origin}/`)).status).toBe(401);
  });

  it('does not serve files outside the renderer folder', async () => {
    const res = await fetch(`${bridge.origin}/..%2f..%2foutside-secret.txt`, {
      headers: { cookie: await assetCookie() },
    });
    expect([403, 404]).toContain(res.status);
    expect(await res.text()).not.toContain('secret');
  });

  it('streams progress events to the page over /events', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${bridge.origin}/events`, {
      headers: { 'x-soa-token': 'test-token-0123456789' },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const operationId = randomUUID();
    const call = rpc(
      'server.waitForSyncCycle',
      JSON.stringify({ operationId, t0: new Date().toISOString(), timeoutSeconds: 60 }),
    );
    let text = '';
    while (!text.includes('"operationId"')) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain(`"operationId":"${operationId}"`);
    expect(text).toContain('"operation":"server.waitForSyncCycle"');
    release();
    expect(await (await call).json()).toMatchObject({ ok: true, value: { allSucceeded: true } });
    controller.abort();
  });

  it('limits each operation body to its contract: 64 KB by default, more for report.save', async () => {
    const big = JSON.stringify({ message: 'x'.repeat(70 * 1024) });
    const tooBig = await rpc('app.ping', big);
    expect(tooBig.status).toBe(413);
    expect(JSON.stringify(await tooBig.json())).toContain('app.ping');
    // without a content-length (chunked), counted while reading
    const chunked = await fetch(`${bridge.origin}/rpc/app.ping`, {
      method: 'POST',
      headers: { 'x-soa-token': 'test-token-0123456789' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // report.save takes a large report (not registered on this router: a validation answer, not 413)
    const report = JSON.stringify({ name: 'r.csv', format: 'csv', content: 'y'.repeat(2 * 1024 * 1024) });
    expect((await rpc('report.save', report)).status).not.toBe(413);
    expect((await rpc('app.ping', JSON.stringify({ message: 'small' }))).status).toBe(200);
  });

  it('answers malformed percent-encoding in a path with 400, not 500', async () => {
    const cookie = await assetCookie();
    expect((await rpc('app.%E0%A4%A', '{}')).status).toBe(400);
    expect((await rpc('%', '{}')).status).toBe(400);
    expect((await fetch(`${bridge.origin}/reports/%E0%A4%A.html`, { headers: { cookie } })).status).toBe(400);
    expect((await fetch(`${bridge.origin}/assets/%E0%A4%A.js`, { headers: { cookie } })).status).toBe(400);
  });
});

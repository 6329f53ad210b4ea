/**
 * The browser-mode bridge's guards, each with the case that must be refused and the edge that must pass:
 * security headers on every answer, the Host check, the token checks (wrong length included), cross-site
 * fetches, body limits at the exact byte, the status of each router answer, the event stream's framing and
 * keep-alive, report tickets (expiry at the exact millisecond, file type and name, folder) and a failing router.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Router, type SenderInfo } from '../../../../src-main/ipc/router';
import { OperationError } from '../../../../src-main/ipc/errors';
import { startBridge, type BridgeHandle } from '../../../../src-main/bridge/server';

const TOKEN = 'guard-token-0123456789';
let bridge: BridgeHandle;
let dir: string;
const senders: SenderInfo[] = [];
let emitNow: (() => void) | undefined;
let finish: (() => void) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'soa-bridge-guards-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>soa-pilot</title>');
  mkdirSync(path.join(dir, 'reports'));
  writeFileSync(path.join(dir, 'reports', 'run.json'), '{"a":1}');
  writeFileSync(path.join(dir, 'reports', 'run.csv'), 'a,b\n1,2\n');
  writeFileSync(path.join(dir, 'reports', 'notes.txt'), 'not a report');
  // names the report rule refuses although the files exist: a leading dot, text after the extension, too long
  for (const name of ['.hidden.json', 'run.json.txt', `${'a'.repeat(121)}.json`, `${'a'.repeat(120)}.json`])
    writeFileSync(path.join(dir, 'reports', name), '{}');
  mkdirSync(path.join(dir, 'reports', 'folder.html'));
  const router = new Router({ validateSender: (s) => s.kind === 'bridge' }).register({
    'app.ping': ({ message }, ctx) => {
      senders.push(ctx.sender);
      if (message === 'busy') throw new OperationError('busy', 'The engine is busy.');
      return { echo: message, at: new Date().toISOString() };
    },
    'auth.signOut': () => ({ signedOut: true }),
    'server.waitForSyncCycle': async (input, ctx) => {
      await new Promise<void>((r) => (emitNow = r));
      ctx.emit({ phase: 'collecting', elapsedMs: 2, connector: null, message: 'reading runs' });
      await new Promise<void>((r) => (finish = r));
      return { t0: input.t0, finishedAt: new Date().toISOString(), runs: [], allSucceeded: true };
    },
  });
  bridge = await startBridge({ router, rendererDir: dir, token: TOKEN, reportsDir: path.join(dir, 'reports') });
});
afterAll(() => bridge.close());
afterEach(() => vi.restoreAllMocks());

const rpc = (op: string, body: string | undefined, headers: Record<string, string> = {}) =>
  fetch(`${bridge.origin}/rpc/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-soa-token': TOKEN, ...headers },
    ...(body === undefined ? {} : { body }),
  });

async function cookieOf(b: BridgeHandle): Promise<string> {
  const first = await fetch(b.url, { redirect: 'manual' });
  return (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** A raw request (fetch cannot set Host). */
function raw(
  b: BridgeHandle,
  p: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${b.origin}${p}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('bridge guards', () => {
  it('sends the security headers on every answer, refused or served', async () => {
    for (const res of [
      await rpc('app.ping', '{"message":"x"}', { 'x-soa-token': 'nope' }),
      await rpc('app.ping', '{"message":"x"}'),
    ]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('accepts the Host 127.0.0.1:<port> and localhost:<port>, and refuses another port or name', async () => {
    expect((await raw(bridge, `/?token=${TOKEN}`, { host: `localhost:${bridge.port}` })).status).toBe(303);
    expect((await raw(bridge, `/?token=${TOKEN}`, { host: `127.0.0.1:${bridge.port}` })).status).toBe(303);
    const wrongPort = await raw(bridge, '/', { host: `127.0.0.1:${bridge.port + 1}` });
    expect(wrongPort.status).toBe(403);
    expect(JSON.parse(wrongPort.body)).toEqual({
      ok: false,
      error: { code: 'validation', message: 'Unexpected Host header.' },
    });
    expect((await raw(bridge, '/', { host: `localhost:${bridge.port + 1}` })).status).toBe(403);
    expect((await raw(bridge, '/', { host: `127.0.0.2:${bridge.port}` })).status).toBe(403);
  });

  it('refuses a token of another length with 401 (not a crash) and names the fix', async () => {
    for (const t of ['short', `${TOKEN}x`, '']) {
      const res = await rpc('app.ping', '{"message":"x"}', { 'x-soa-token': t });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('forbiddenSender');
      expect(body.error.message).toMatch(/^Missing or wrong session token\. Open the URL printed by `npm run demo`/);
    }
  });

  it('answers RPC only to POST', async () => {
    const res = await fetch(`${bridge.origin}/rpc/app.ping`, { headers: { 'x-soa-token': TOKEN } });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ ok: false, error: { code: 'validation', message: 'Use POST.' } });
  });

  it('refuses cross-site and same-site fetches; same-origin and direct navigation pass', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await rpc('app.ping', '{"message":"x"}', { 'sec-fetch-site': site });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        ok: false,
        error: { code: 'validation', message: 'Cross-site request refused.' },
      });
    }
    for (const site of ['same-origin', 'none']) {
      expect((await rpc('app.ping', '{"message":"x"}', { 'sec-fetch-site': site })).status).toBe(200);
    }
  });

  it('takes a body of exactly the limit and refuses one byte more, by header and while reading', async () => {
    const exact = JSON.stringify({ message: 'x'.repeat(65_536 - '{"message":""}'.length) });
    expect(exact.length).toBe(65_536);
    // exactly the limit is read and handed to the router (which refuses the long message: 400, not 413)
    expect((await rpc('app.ping', exact)).status).toBe(400);
    const over = JSON.stringify({ message: 'x'.repeat(65_537 - '{"message":""}'.length) });
    const tooBig = await rpc('app.ping', over);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toEqual({
      ok: false,
      error: { code: 'validation', message: 'The request body is larger than app.ping accepts (65536 bytes).' },
    });
    const chunked = (body: string) =>
      fetch(`${bridge.origin}/rpc/app.ping`, {
        method: 'POST',
        headers: { 'x-soa-token': TOKEN },
        body: new Blob([body]).stream(),
        duplex: 'half',
      } as RequestInit);
    expect((await chunked(exact)).status).toBe(400);
    const chunkedOver = await chunked(over);
    expect(chunkedOver.status).toBe(413);
    expect(JSON.stringify(await chunkedOver.json())).toContain('(65536 bytes)');
  });

  it('reads an empty body as {} and passes the caller to the router as the bridge with its address', async () => {
    const res = await rpc('auth.signOut', undefined);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, value: { signedOut: true } });
    senders.length = 0;
    await rpc('app.ping', '{"message":"who"}');
    expect(senders).toHaveLength(1);
    expect(senders[0]?.kind).toBe('bridge');
    expect(senders[0]).toMatchObject({ remoteAddress: expect.stringMatching(/127\.0\.0\.1/) });
  });

  it('answers a handler error with 200 and its code, an unknown operation with 400', async () => {
    const busy = await rpc('app.ping', '{"message":"busy"}');
    expect(busy.status).toBe(200);
    expect(await busy.json()).toEqual({ ok: false, error: { code: 'busy', message: 'The engine is busy.' } });
    const unknown = await rpc('no.such', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'validation' } });
    const unavailable = await rpc('app.info', '{}');
    expect(unavailable.status).toBe(200);
    expect(await unavailable.json()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('answers a refused sender with 403 and a router that throws with 500', async () => {
    const refusing = await startBridge({
      router: new Router({ validateSender: () => false }),
      rendererDir: dir,
      token: TOKEN,
    });
    const throwing = await startBridge({
      router: {
        dispatch: () => Promise.reject(new Error('router exploded')),
      } as unknown as Router,
      rendererDir: dir,
      token: TOKEN,
    });
    try {
      const post = (b: BridgeHandle) =>
        fetch(`${b.origin}/rpc/app.ping`, {
          method: 'POST',
          headers: { 'x-soa-token': TOKEN },
          body: '{"message":"x"}',
        });
      const forbidden = await post(refusing);
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
      const failed = await post(throwing);
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({
        ok: false,
        error: { code: 'internal', message: 'The bridge failed to answer.' },
      });
      // still answering afterwards
      expect((await post(throwing)).status).toBe(500);
    } finally {
      await refusing.close();
      await throwing.close();
    }
  });

  it('sets the cookie only for the right URL token, with its attributes, and reads it among other cookies', async () => {
    const wrong = await fetch(`${bridge.origin}/?token=${TOKEN.slice(0, -1)}Z`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.json()).toEqual({
      ok: false,
      error: { code: 'forbiddenSender', message: 'Wrong session token.' },
    });
    const first = await fetch(bridge.url, { redirect: 'manual' });
    expect(first.headers.get('cache-control')).toBe('no-store');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^soa_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = setCookie.split(';')[0] ?? '';
    const page = (c: string) => fetch(`${bridge.origin}/`, { headers: { cookie: c } });
    expect((await page(`theme=dark; ${cookie}; lang=en`)).status).toBe(200);
    expect((await page(`x${cookie}`)).status).toBe(401);
    const refused = await page('theme=dark');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      ok: false,
      error: {
        code: 'forbiddenSender',
        message: 'Open the URL printed by `npm run demo` (it carries the session token).',
      },
    });
  });

  it('serves the app to GET and HEAD only', async () => {
    const cookie = await cookieOf(bridge);
    expect((await fetch(`${bridge.origin}/`, { method: 'HEAD', headers: { cookie } })).status).toBe(200);
    const post = await fetch(`${bridge.origin}/`, { method: 'POST', headers: { cookie } });
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ ok: false, error: { code: 'validation', message: 'Method not allowed.' } });
  });

  it('frames progress as SSE, greets on connect, sends a keep-alive every 15 s, and ends the stream on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const local = await startBridge({
      router: new Router({ validateSender: () => true }).register({
        'app.ping': ({ message }) => ({ echo: message, at: new Date().toISOString() }),
      }),
      rendererDir: dir,
      token: TOKEN,
    });
    try {
      const refused = await fetch(`${local.origin}/events`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({
        ok: false,
        error: { code: 'forbiddenSender', message: 'Missing or wrong session token.' },
      });
      const stream = await fetch(`${local.origin}/events`, { headers: { 'x-soa-token': TOKEN } });
      expect(stream.headers.get('content-type')).toBe('text/event-stream');
      expect(stream.headers.get('cache-control')).toBe('no-store');
      expect(stream.headers.get('connection')).toBe('keep-alive');
      const reader = stream.body!.getReader();
      const next = async () => new TextDecoder().decode((await reader.read()).value);
      expect(await next()).toBe(': connected\n\n');
      vi.advanceTimersByTime(14_999);
      const early = reader.read();
      vi.advanceTimersByTime(1);
      expect(new TextDecoder().decode((await early).value)).toBe(': keep-alive\n\n');
      await local.close();
      expect((await reader.read()).done).toBe(true);
    } finally {
      vi.useRealTimers();
      await local.close();
    }
  });

  it('sends each progress event as one "event: progress" frame to every open stream', async () => {
    const open = async () => {
      const s = await fetch(`${bridge.origin}/events`, { headers: { 'x-soa-token': TOKEN } });
      const r = s.body!.getReader();
      await r.read(); // ': connected'
      return r;
    };
    const [a, b] = [await open(), await open()];
    const operationId = randomUUID();
    const call = rpc('server.waitForSyncCycle', JSON.stringify({ operationId, t0: new Date().toISOString() }));
    while (!emitNow) await new Promise((r) => setTimeout(r, 5));
    emitNow();
    const expected = `event: progress\ndata: ${JSON.stringify({
      operationId,
      operation: 'server.waitForSyncCycle',
      data: { phase: 'collecting', elapsedMs: 2, connector: null, message: 'reading runs' },
    })}\n\n`;
    for (const r of [a, b]) expect(new TextDecoder().decode((await r.read()).value)).toBe(expected);
    while (!finish) await new Promise((r) => setTimeout(r, 5));
    finish();
    expect((await call).status).toBe(200);
    await a.cancel();
    await b.cancel();
  });
});

describe('bridge reports', () => {
  const get = async (p: string, method = 'GET') =>
    fetch(`${bridge.origin}${p}`, { method, headers: { cookie: await cookieOf(bridge) } });

  it('serves JSON and CSV reports with their type, no-store and the report CSP; HEAD sends no body', async () => {
    const json = await get(bridge.reportUrl('run.json', 'inline'));
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect(json.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    );
    expect(json.headers.get('content-disposition')).toBe('inline; filename="run.json"');
    expect(await json.text()).toBe('{"a":1}');
    const csv = await get(bridge.reportUrl('run.csv', 'attachment'));
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="run.csv"');
    expect(await csv.text()).toBe('a,b\n1,2\n');
    const head = await get(bridge.reportUrl('run.csv', 'inline'), 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-disposition')).toBe('inline; filename="run.csv"');
    expect(await head.text()).toBe('');
  });

  it('puts download=1 in the URL only for an attachment', () => {
    const inline = new URL(bridge.reportUrl('run.csv', 'inline'), bridge.origin);
    const attachment = new URL(bridge.reportUrl('run.csv', 'attachment'), bridge.origin);
    expect(inline.searchParams.get('download')).toBeNull();
    expect(attachment.searchParams.get('download')).toBe('1');
    expect(inline.pathname).toBe('/reports/run.csv');
    expect(new URL(bridge.reportUrl('a b.csv', 'inline'), bridge.origin).pathname).toBe('/reports/a%20b.csv');
  });

  it('honours a ticket for exactly two minutes', async () => {
    const start = Date.now();
    const now = vi.spyOn(Date, 'now').mockReturnValue(start);
    const atEdge = bridge.reportUrl('run.json', 'inline');
    const late = bridge.reportUrl('run.json', 'inline');
    now.mockReturnValue(start + 120_000);
    expect((await get(atEdge)).status).toBe(200);
    now.mockReturnValue(start + 120_001);
    const expired = await get(late);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toEqual({
      ok: false,
      error: {
        code: 'validation',
        message: 'This report link has expired or was used already. Open the report again from the app.',
      },
    });
  });

  it('issuing a ticket drops the expired ones and keeps the live ones', async () => {
    const start = Date.now();
    const now = vi.spyOn(Date, 'now').mockReturnValue(start);
    const live = bridge.reportUrl('run.json', 'inline');
    now.mockReturnValue(start + 60_000);
    bridge.reportUrl('run.csv', 'inline');
    expect((await get(live)).status).toBe(200);
  });

  it('serves a report name only whole: no leading dot, nothing after the extension, at most 120 characters', async () => {
    for (const file of ['.hidden.json', 'run.json.txt', `${'a'.repeat(121)}.json`]) {
      const res = await get(bridge.reportUrl(file, 'inline'));
      expect(res.status, file).toBe(404);
      expect(await res.json()).toEqual({ ok: false, error: { code: 'validation', message: 'Not found.' } });
    }
    expect((await get(bridge.reportUrl(`${'a'.repeat(120)}.json`, 'inline'))).status).toBe(200);
  });

  it('refuses a report without the cookie, a non-report file, a folder, and any report when no folder is set', async () => {
    const noCookie = await fetch(`${bridge.origin}${bridge.reportUrl('run.json', 'inline')}`);
    expect(noCookie.status).toBe(401);
    expect(await noCookie.json()).toEqual({
      ok: false,
      error: { code: 'forbiddenSender', message: 'Missing or wrong session token.' },
    });
    const txt = await get(bridge.reportUrl('notes.txt', 'inline'));
    expect(txt.status).toBe(404);
    expect(await txt.json()).toEqual({ ok: false, error: { code: 'validation', message: 'Not found.' } });
    expect((await get(bridge.reportUrl('folder.html', 'inline'))).status).toBe(404);
    const bare = await startBridge({
      router: new Router({ validateSender: () => true }),
      rendererDir: dir,
      token: TOKEN,
    });
    try {
      const cookie = await cookieOf(bare);
      const res = await fetch(`${bare.origin}${bare.reportUrl('run.json', 'inline')}`, { headers: { cookie } });
      expect(res.status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

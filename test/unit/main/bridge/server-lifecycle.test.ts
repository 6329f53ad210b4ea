/**
 * The bridge's guards that a shared bridge (started in beforeAll) cannot pin: each test here starts its own
 * bridge inside the test, so a broken start fails the test itself (a failing beforeAll is not counted as a
 * failed test by the mutation runner, see docs/mutation-testing.md). Covers the generated token, a busy
 * port, a body refused by its declared length before it is read, malformed percent-encoding, a report
 * file that is gone, ticket clean-up at the exact millisecond, the event stream's clean-up on close, the
 * CSP origins in header and meta tag, the log line of a router that throws, an answer that fails after its headers
 * went out (the connection is cut), a body whose sender went away mid-way (the reading fails, it does not wait
 * forever), and the loopback-only listener.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Router } from '../../../../src-main/ipc/router';
import { startBridge, type BridgeHandle } from '../../../../src-main/bridge/server';
import { contentSecurityPolicy } from '../../../../src-main/bridge/content-security-policy';
import { setLogSink } from '../../../../src-main/log';

const TOKEN = 'lifecycle-token-0123456789';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'soa-bridge-life-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html><head><title>soa-pilot</title></head></html>');
  mkdirSync(path.join(dir, 'reports'));
  writeFileSync(path.join(dir, 'reports', 'run.json'), '{"a":1}');
});
afterEach(() => vi.restoreAllMocks());

const pingRouter = () =>
  new Router({ validateSender: () => true }).register({
    'app.ping': ({ message }) => ({ echo: message, at: new Date().toISOString() }),
  });

async function withBridge(
  run: (b: BridgeHandle) => Promise<void>,
  extra: Partial<Parameters<typeof startBridge>[0]> = {},
): Promise<void> {
  const b = await startBridge({
    router: pingRouter(),
    rendererDir: dir,
    token: TOKEN,
    reportsDir: path.join(dir, 'reports'),
    ...extra,
  });
  try {
    await run(b);
  } finally {
    await b.close();
  }
}

const cookieOf = async (b: BridgeHandle) =>
  ((await fetch(b.url, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0] ?? '';

describe('bridge lifecycle', () => {
  it('listens on the loopback interface only (127.0.0.1), never on every interface', async () => {
    const listen = vi.spyOn(net.Server.prototype, 'listen');
    await withBridge(async () => {
      expect(listen).toHaveBeenCalledTimes(1);
      const server = listen.mock.contexts[0] as net.Server;
      expect(server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    });
  });

  it('makes a random 32-byte base64url token per start when none is given, and accepts it', async () => {
    const a = await startBridge({ router: pingRouter(), rendererDir: dir });
    const b = await startBridge({ router: pingRouter(), rendererDir: dir });
    try {
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.token).not.toBe(b.token);
      expect(a.url).toBe(`http://127.0.0.1:${a.port}/?token=${a.token}`);
      expect(a.origin).toBe(`http://127.0.0.1:${a.port}`);
      const res = await fetch(`${a.origin}/rpc/app.ping`, {
        method: 'POST',
        headers: { 'x-soa-token': a.token },
        body: '{"message":"x"}',
      });
      expect(res.status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('listens on the port it is given and fails to start when that port is taken', async () => {
    await withBridge(async (first) => {
      await expect(startBridge({ router: pingRouter(), rendererDir: dir, port: first.port })).rejects.toThrow(
        /EADDRINUSE/,
      );
    });
  });

  it('refuses a body by its declared length at once, without waiting to read it', async () => {
    await withBridge(async (b) => {
      // the declared body never arrives: only an answer that does not read it can come back
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(b.port, '127.0.0.1', () => {
          socket.write(
            `POST /rpc/app.ping HTTP/1.1\r\nHost: 127.0.0.1:${b.port}\r\nx-soa-token: ${TOKEN}\r\ncontent-length: 70000\r\n\r\n{`,
          );
        });
        let text = '';
        socket.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.includes('bytes).')) {
            socket.destroy();
            resolve(text);
          }
        });
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toContain('The request body is larger than app.ping accepts (65536 bytes).');
    });
  });

  it('answers malformed percent-encoding in an operation or report path with 400', async () => {
    await withBridge(async (b) => {
      const op = await fetch(`${b.origin}/rpc/app.%E0%A4%A`, {
        method: 'POST',
        headers: { 'x-soa-token': TOKEN },
        body: '{}',
      });
      expect(op.status).toBe(400);
      expect(await op.json()).toEqual({
        ok: false,
        error: { code: 'validation', message: 'The path has malformed percent-encoding.' },
      });
      const report = await fetch(`${b.origin}/reports/%E0%A4%A.json`, { headers: { cookie: await cookieOf(b) } });
      expect(report.status).toBe(400);
      expect(await report.json()).toEqual({
        ok: false,
        error: { code: 'validation', message: 'The path has malformed percent-encoding.' },
      });
    });
  });

  it('answers a ticket for a report file that is gone with 404', async () => {
    await withBridge(async (b) => {
      const res = await fetch(`${b.origin}${b.reportUrl('gone.json', 'inline')}`, {
        headers: { cookie: await cookieOf(b) },
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ ok: false, error: { code: 'validation', message: 'Not found.' } });
    });
  });

  it('issuing a ticket keeps one that expires at that very millisecond and drops one already expired', async () => {
    await withBridge(async (b) => {
      const cookie = await cookieOf(b);
      const start = Date.now();
      const now = vi.spyOn(Date, 'now').mockReturnValue(start);
      const edge = b.reportUrl('run.json', 'inline');
      const old = b.reportUrl('run.json', 'inline');
      now.mockReturnValue(start + 120_000);
      b.reportUrl('run.json', 'inline'); // clean-up: `edge` and `old` expire now, neither is past it
      expect((await fetch(`${b.origin}${edge}`, { headers: { cookie } })).status).toBe(200);
      now.mockReturnValue(start + 120_001);
      b.reportUrl('run.json', 'inline'); // clean-up: `old` is past its time and is dropped
      now.mockReturnValue(start); // even back inside its two minutes it stays gone
      expect((await fetch(`${b.origin}${old}`, { headers: { cookie } })).status).toBe(403);
    });
  });

  it('stops the keep-alive timer of an event stream the page closes', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      await withBridge(async (b) => {
        const stream = await fetch(`${b.origin}/events`, { headers: { 'x-soa-token': TOKEN } });
        const reader = stream.body!.getReader();
        await reader.read(); // ': connected'
        expect(vi.getTimerCount()).toBe(1);
        await reader.cancel();
        while (vi.getTimerCount() > 0) await new Promise((r) => setTimeout(r, 5));
        expect(vi.getTimerCount()).toBe(0);
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('puts the connect origins in the page CSP header and in its meta tag (without frame-ancestors)', async () => {
    const origins = ['https://graph.microsoft.com', 'http://127.0.0.1:4999'];
    await withBridge(
      async (b) => {
        const page = await fetch(`${b.origin}/`, { headers: { cookie: await cookieOf(b) } });
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy(origins));
        const html = await page.text();
        const meta = contentSecurityPolicy(origins, { delivery: 'meta' }).replace(/&/g, '&amp;');
        expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${meta}" />`);
      },
      { connectOrigins: origins },
    );
    await withBridge(async (b) => {
      const page = await fetch(`${b.origin}/`, { headers: { cookie: await cookieOf(b) } });
      expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy([]));
      expect(await page.text()).toContain(`content="${contentSecurityPolicy([], { delivery: 'meta' })}"`);
    });
  });

  it('logs a router that throws under the bridge scope, with the error', async () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l), 'info');
    await withBridge(
      async (b) => {
        const res = await fetch(`${b.origin}/rpc/app.ping`, {
          method: 'POST',
          headers: { 'x-soa-token': TOKEN },
          body: '{"message":"x"}',
        });
        expect(res.status).toBe(500);
      },
      { router: { dispatch: () => Promise.reject(new Error('router exploded')) } as unknown as Router },
    );
    expect(lines.some((l) => / ERROR \[bridge\] bridge request failed Error: router exploded$/.test(l))).toBe(true);
  });

  it('cuts the connection of an answer that fails after its headers went out (no second answer, no hang)', async () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l), 'info');
    // a result JSON cannot write: the status line is already out when JSON.stringify throws
    const router = { dispatch: () => Promise.resolve({ ok: true, value: 1n }) } as unknown as Router;
    await withBridge(
      async (b) => {
        const answer = fetch(`${b.origin}/rpc/app.ping`, {
          method: 'POST',
          headers: { 'x-soa-token': TOKEN },
          body: '{"message":"x"}',
          // only reached when the connection is left open (the failing case); a cut connection fails at once
          signal: AbortSignal.timeout(15_000),
        });
        await expect(answer).rejects.toThrow('fetch failed');
      },
      { router },
    );
    expect(lines.some((l) => / ERROR \[bridge\] bridge request failed TypeError: .*BigInt/.test(l))).toBe(true);
  });

  it('ends the reading of a body whose sender went away mid-way (the request fails, it is not left waiting)', async () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l), 'info');
    const dispatched: unknown[] = [];
    const router = { dispatch: (op: string) => Promise.resolve(void dispatched.push(op)) } as unknown as Router;
    await withBridge(
      async (b) => {
        const socket = net.connect(b.port, '127.0.0.1');
        await new Promise<void>((r) => socket.once('connect', () => r()));
        // headers and the start of a body announced as 100 bytes; the sender goes away once they are sent
        const head =
          `POST /rpc/app.ping HTTP/1.1\r\nHost: 127.0.0.1:${b.port}\r\nx-soa-token: ${TOKEN}\r\n` +
          'content-type: application/json\r\ncontent-length: 100\r\n\r\n{"message":';
        socket.write(head, () => socket.destroy());
        // the reading fails and is logged as a failed request; without the error handler it would wait forever
        for (let i = 0; i < 600 && !lines.some((l) => /bridge request failed/.test(l)); i++)
          await new Promise((r) => setTimeout(r, 25));
        expect(lines.filter((l) => /bridge request failed/.test(l))).toHaveLength(1);
      },
      { router },
    );
    expect(dispatched).toEqual([]);
  });
});

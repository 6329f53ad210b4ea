/**
 * Browser mode: the same router that Electron's ipcMain uses, behind a loopback-only HTTP server.
 *
 *   GET  /?token=…        sets the session cookie (HttpOnly, SameSite=Strict) and redirects to /#token=…
 *   GET  /<asset>         the built renderer (cookie required)
 *   POST /rpc/<operation> one contract operation; header `x-soa-token` required (not the cookie: CSRF)
 *   GET  /events          Server-Sent Events with progress events (cookie required)
 *   GET  /reports/<file>  a saved evidence report (cookie required; `?download=1` as an attachment)
 *
 * Every request needs the per-launch random token. The Host header must name our loopback address,
 * which stops DNS-rebinding pages from talking to the bridge.
 */
import http from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Router } from '../ipc/router';
import type { IpcResult, ProgressEvent } from '../ipc/contract';
import { contentSecurityPolicy } from './content-security-policy';
import { RENDERER_MIME, rendererRequestHandler, writeWebResponse } from '../renderer-assets';
import { logger } from '../log';

const log = logger('bridge');
const COOKIE = 'soa_session';
const MAX_BODY = 60 * 1024 * 1024;

export interface BridgeOptions {
  router: Router;
  /** Folder of the built renderer (index.html + assets). */
  rendererDir: string;
  port?: number;
  /** Fixed token (tests); a random one per launch otherwise. */
  token?: string;
  /** Origins the renderer may connect to directly (CSP connect-src). */
  connectOrigins?: string[];
  /** Folder of the saved reports served under /reports/ (browser mode's "Open" and "Save as"). */
  reportsDir?: string;
}

/** The URL the page opens (or downloads) for a saved report; the bridge serves it only with the session cookie. */
export function reportUrl(file: string, disposition: 'inline' | 'attachment'): string {
  return `/reports/${encodeURIComponent(file)}${disposition === 'attachment' ? '?download=1' : ''}`;
}

const REPORT_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.(html|json|csv)$/;
/** A saved report runs nothing and loads nothing: inline styles only. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export interface BridgeHandle {
  /** The URL to open, carrying the token. */
  url: string;
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

const statusFor = (result: IpcResult<unknown>): number => {
  if (result.ok) return 200;
  if (result.error.code === 'validation') return 400;
  if (result.error.code === 'forbiddenSender') return 403;
  return 200;
};

export async function startBridge(options: BridgeOptions): Promise<BridgeHandle> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const clients = new Set<http.ServerResponse>();
  let origin = '';
  const csp = () => contentSecurityPolicy(options.connectOrigins ?? []);

  const broadcast = (event: ProgressEvent) => {
    const frame = `event: progress\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of clients) res.write(frame);
  };

  const baseHeaders = (res: http.ServerResponse) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const deny = (res: http.ServerResponse, status: number, message: string) =>
    sendJson(res, status, { ok: false, error: { code: status === 401 ? 'forbiddenSender' : 'validation', message } });

  const server = http.createServer((req, res) => {
    baseHeaders(res);
    void handle(req, res).catch((e: unknown) => {
      log.error('bridge request failed', e instanceof Error ? e : String(e));
      if (!res.headersSent)
        sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'The bridge failed to answer.' } });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    const port = (server.address() as AddressInfo).port;
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return deny(res, 403, 'Unexpected Host header.');
    const url = new URL(req.url ?? '/', origin);
    const cookieOk = sameSecret(cookieValue(req.headers.cookie, COOKIE), token);
    const headerOk = sameSecret(
      typeof req.headers['x-soa-token'] === 'string' ? req.headers['x-soa-token'] : undefined,
      token,
    );

    if (url.pathname.startsWith('/rpc/')) {
      if (req.method !== 'POST') return deny(res, 405, 'Use POST.');
      if (!headerOk) return deny(res, 401, 'Missing or wrong session token.');
      const fetchSite = req.headers['sec-fetch-site'];
      if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none')
        return deny(res, 403, 'Cross-site request refused.');
      const operation = decodeURIComponent(url.pathname.slice('/rpc/'.length));
      const raw = await readBody(req);
      if (raw === null) return deny(res, 413, 'Request body too large.');
      let input: unknown = {};
      if (raw.length > 0) {
        try {
          input = JSON.parse(raw) as unknown;
        } catch {
          return sendJson(res, 400, {
            ok: false,
            error: { code: 'validation', message: 'The request body is not valid JSON.' },
          });
        }
      }
      const result = await options.router.dispatch(
        operation,
        input,
        { kind: 'bridge', remoteAddress: req.socket.remoteAddress ?? '' },
        broadcast,
      );
      return sendJson(res, statusFor(result), result);
    }

    if (url.pathname === '/events') {
      if (!cookieOk && !headerOk) return deny(res, 401, 'Missing or wrong session token.');
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      clients.add(res);
      const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(beat);
        clients.delete(res);
      });
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.');
    if (url.pathname.startsWith('/reports/')) {
      if (!cookieOk) return deny(res, 401, 'Missing or wrong session token.');
      return serveReport(res, decodeURIComponent(url.pathname.slice('/reports/'.length)), url, req.method === 'HEAD');
    }
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!sameSecret(queryToken, token)) return deny(res, 401, 'Wrong session token.');
      res.writeHead(303, {
        // The fragment never leaves the browser: the page keeps it for the x-soa-token header.
        location: `/#token=${token}`,
        'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      return void res.end();
    }
    if (!cookieOk) return deny(res, 401, 'Open the URL printed by `npm run demo` (it carries the session token).');
    return serveStatic(res, url.pathname, req.method);
  }

  // The same handler the Electron shell mounts on app://soa-pilot/ (renderer-assets.ts).
  let serveRenderer: ((request: Request) => Promise<Response>) | undefined;
  async function serveStatic(res: http.ServerResponse, pathname: string, method: string): Promise<void> {
    serveRenderer ??= rendererRequestHandler({
      rendererDir: options.rendererDir,
      csp: csp(),
      metaCsp: contentSecurityPolicy(options.connectOrigins ?? [], { delivery: 'meta' }),
      origin,
    });
    await writeWebResponse(res, await serveRenderer(new Request(origin + pathname, { method })));
  }

  function serveReport(res: http.ServerResponse, file: string, url: URL, headOnly: boolean): void {
    if (!options.reportsDir || !REPORT_FILE.test(file)) return deny(res, 404, 'Not found.');
    const root = path.resolve(options.reportsDir);
    const full = path.join(root, file);
    if (path.dirname(full) !== root || !existsSync(full) || !statSync(full).isFile()) {
      return deny(res, 404, 'Not found.');
    }
    const download = url.searchParams.get('download') === '1';
    const type = RENDERER_MIME[path.extname(full)] ?? 'text/csv; charset=utf-8';
    res.writeHead(200, {
      'content-type': type,
      'cache-control': 'no-store',
      'content-security-policy': REPORT_CSP,
      'content-disposition': `${download ? 'attachment' : 'inline'}; filename="${file}"`,
    });
    if (headOnly) return void res.end();
    createReadStream(full).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of clients) res.end();
        clients.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        tooBig = true;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

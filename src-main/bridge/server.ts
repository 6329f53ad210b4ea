/**
 * Browser mode: the same router that Electron's ipcMain uses, behind a loopback-only HTTP server.
 *
 *   GET  /?token=…        sets the asset cookie (HttpOnly, SameSite=Strict) and redirects to /#token=…
 *   GET  /<asset>         the built renderer (asset cookie required)
 *   POST /rpc/<operation> one contract operation; header `x-soa-token` required (never the cookie: CSRF)
 *   GET  /events          Server-Sent Events with progress events (header `x-soa-token` required)
 *   GET  /reports/<file>  a saved evidence report (asset cookie and a single-use ticket from `report.open`)
 *
 * Two secrets per launch. The RPC token lives only in the page's memory and travels only in the
 * `x-soa-token` header. The cookie carries a different secret that opens nothing but the static files:
 * browsers send 127.0.0.1 cookies to every port, so any other local service the browser visits
 * sees it, and the RPC check refuses it. The Host header must name our loopback address, which stops
 * DNS-rebinding pages from talking to the bridge. Each operation has a body limit sized to its
 * contract (`maxBodyBytes`). See docs/security.md.
 */
import http from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Router } from '../ipc/router';
import { maxBodyBytes, type IpcResult, type ProgressEvent } from '../ipc/contract';
import { contentSecurityPolicy } from './content-security-policy';
import { RENDERER_MIME, rendererRequestHandler, writeWebResponse } from '../renderer-assets';
import { logger } from '../log';

const log = logger('bridge');
const COOKIE = 'soa_session';

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

/** How long a report ticket from `report.open` / `report.saveAs` stays valid (it is also single-use). */
const REPORT_TICKET_MS = 2 * 60 * 1000;

const REPORT_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.(html|json|csv)$/;
/** A saved report runs nothing and loads nothing: inline styles only. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export interface BridgeHandle {
  /** The URL to open, carrying the token. */
  url: string;
  origin: string;
  token: string;
  port: number;
  /**
   * The URL the page opens (or downloads) for a saved report: a single-use ticket that expires, so the
   * asset cookie alone (which other local services may see) never reads a report.
   */
  reportUrl(file: string, disposition: 'inline' | 'attachment'): string;
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
  // The asset cookie's secret: a different value, refused wherever the token is required.
  const cookieSecret = randomBytes(32).toString('base64url');
  const reportTickets = new Map<string, { file: string; expires: number }>();
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
    const cookieOk = sameSecret(cookieValue(req.headers.cookie, COOKIE), cookieSecret);
    const headerOk = sameSecret(
      typeof req.headers['x-soa-token'] === 'string' ? req.headers['x-soa-token'] : undefined,
      token,
    );

    if (url.pathname.startsWith('/rpc/')) {
      if (req.method !== 'POST') return deny(res, 405, 'Use POST.');
      if (!headerOk)
        return deny(
          res,
          401,
          'Missing or wrong session token. Open the URL printed by `npm run demo` again: the page keeps the token only in memory, so a reload loses it.',
        );
      const fetchSite = req.headers['sec-fetch-site'];
      if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none')
        return deny(res, 403, 'Cross-site request refused.');
      const operation = decodedPath(url.pathname.slice('/rpc/'.length));
      if (operation === null) return deny(res, 400, 'The path has malformed percent-encoding.');
      const limit = maxBodyBytes(operation);
      if (Number(req.headers['content-length'] ?? 0) > limit) {
        return deny(res, 413, `The request body is larger than ${operation} accepts (${limit} bytes).`);
      }
      const raw = await readBody(req, limit);
      if (raw === null) return deny(res, 413, `The request body is larger than ${operation} accepts (${limit} bytes).`);
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
      if (!headerOk) return deny(res, 401, 'Missing or wrong session token.');
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
      const file = decodedPath(url.pathname.slice('/reports/'.length));
      if (file === null) return deny(res, 400, 'The path has malformed percent-encoding.');
      const ticket = reportTickets.get(url.searchParams.get('ticket') ?? '');
      reportTickets.delete(url.searchParams.get('ticket') ?? '');
      if (!ticket || ticket.file !== file || ticket.expires < Date.now()) {
        return deny(res, 403, 'This report link has expired or was used already. Open the report again from the app.');
      }
      return serveReport(res, file, url, req.method === 'HEAD');
    }
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!sameSecret(queryToken, token)) return deny(res, 401, 'Wrong session token.');
      res.writeHead(303, {
        // The fragment never leaves the browser: the page keeps it for the x-soa-token header.
        location: `/#token=${token}`,
        'set-cookie': `${COOKIE}=${cookieSecret}; HttpOnly; SameSite=Strict; Path=/`,
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
    reportUrl(file, disposition) {
      const now = Date.now();
      for (const [id, t] of reportTickets) if (t.expires < now) reportTickets.delete(id);
      const ticket = randomBytes(24).toString('base64url');
      reportTickets.set(ticket, { file, expires: now + REPORT_TICKET_MS });
      const query = new URLSearchParams({ ticket, ...(disposition === 'attachment' ? { download: '1' } : {}) });
      return `/reports/${encodeURIComponent(file)}?${query.toString()}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of clients) res.end();
        clients.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A decoded path segment, or null when its percent-encoding is malformed (a 400, never a 500). */
function decodedPath(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        tooBig = true;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

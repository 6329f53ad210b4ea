/**
 * Serves the built renderer (`out/renderer`) to the window: the handler behind the Electron shell's
 * privileged `app://soa-pilot/` scheme (`protocol.handle`), and the static half of the browser-mode
 * bridge. It does not import Electron: it maps a web `Request` to a web `Response`, so Node tests
 * (and the end-to-end test's loopback stand-in for the scheme) run exactly this code.
 *
 * Why a scheme and not file://: with the fuse `grantFileProtocolExtraPrivileges` off, Chromium treats
 * file:// pages as an opaque origin and refuses the module script the build emits (CORS), so the
 * window stays blank. See docs/security.md.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { withCspMetaTag } from './bridge/content-security-policy';

/** The custom scheme and host the packaged app loads its UI from. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'soa-pilot';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** What the renderer build emits, and nothing else, gets served. */
export const RENDERER_MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// One path segment as the build names files (`index-3fA_9b.js`): no separators, no drive colons,
// no percent signs left after decoding, no control characters.
const SEGMENT = /^[A-Za-z0-9_~@+-][A-Za-z0-9._~@+-]*$/;

export type AssetLookup =
  | { status: 200; file: string; contentType: string }
  | { status: 400; reason: string }
  | { status: 404; reason: string };

/**
 * Maps a URL path (still percent-encoded, as in `URL.pathname`) to a file inside `rendererDir`.
 * Refuses traversal in every spelling (`..`, `%2e%2e`, `%2f`, backslashes, NUL, absolute drive
 * paths) and anything that is not a regular file of a served type inside the folder, symlinks included.
 */
export async function lookupRendererAsset(rendererDir: string, encodedPath: string): Promise<AssetLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encodedPath === '/' || encodedPath === '' ? '/index.html' : encodedPath);
  } catch {
    return { status: 400, reason: 'The path has malformed percent-encoding.' };
  }
  if (!decoded.startsWith('/')) return { status: 404, reason: 'Not found.' };
  const segments = decoded.slice(1).split('/');
  if (segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) return { status: 404, reason: 'Not found.' };
  const contentType = RENDERER_MIME[path.extname(decoded).toLowerCase()];
  if (!contentType) return { status: 404, reason: 'Not found.' };
  let root: string;
  let file: string;
  try {
    root = await realpath(path.resolve(rendererDir));
    file = await realpath(path.resolve(root, ...segments));
    if (!file.startsWith(root + path.sep) || !(await stat(file)).isFile()) {
      return { status: 404, reason: 'Not found.' };
    }
  } catch {
    return { status: 404, reason: 'Not found.' };
  }
  return { status: 200, file, contentType };
}

export interface RendererHandlerOptions {
  /** Folder of the built renderer (index.html + assets/). */
  rendererDir: string;
  /** The policy sent as the `Content-Security-Policy` header with every response. */
  csp: string;
  /**
   * The same policy for index.html's meta tag (without header-only directives). Replaces the tag
   * the build wrote, so lab origins appear in it only when the served policy has them.
   */
  metaCsp: string;
  /** Only requests for this origin (`app://soa-pilot`, or the loopback stand-in) are served. */
  origin: string;
}

/** scheme://host[:port], also for non-special schemes (whose WHATWG `origin` is "null"). */
export function schemeAndHost(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

const textResponse = (status: number, message: string, csp: string): Response =>
  new Response(message, {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
  });

/** The `protocol.handle` callback: web Request in, web Response out. */
export function rendererRequestHandler(options: RendererHandlerOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, 'Method not allowed.', options.csp);
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return textResponse(400, 'Bad request.', options.csp);
    }
    if (schemeAndHost(url) !== options.origin) return textResponse(404, 'Not found.', options.csp);
    const found = await lookupRendererAsset(options.rendererDir, url.pathname);
    if (found.status !== 200) return textResponse(found.status, found.reason, options.csp);
    const bytes = await readFile(found.file);
    const body: Uint8Array<ArrayBuffer> | string = found.contentType.startsWith('text/html')
      ? withCspMetaTag(bytes.toString('utf8'), options.metaCsp)
      : new Uint8Array(bytes);
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: {
        'content-type': found.contentType,
        'content-security-policy': options.csp,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  };
}

/** Writes a web Response to a Node `http.ServerResponse` (browser mode and the e2e stand-in). */
export async function writeWebResponse(res: http.ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Shared by the bulk token tests: the renderer's fetch in Node, with keep-alive HTTPS trusting the lab CA. */
import https from 'node:https';
import type { FetchLike } from '../../../src-renderer/lib/graph/graph-client';

/**
 * The renderer's fetch, in Node: keep-alive HTTPS trusting the lab CA (the app's main-side fetch opens
 * a connection per request, too slow for thousands of batches on a loaded test machine).
 */
export function keepAliveFetch(ca: string): FetchLike & { close(): void } {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca });
  const f = (async (input: string | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.from(await req.arrayBuffer());
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => {
      headers[k] = v;
    });
    if (body) headers['content-length'] = String(body.length);
    return await new Promise<Response>((resolve, reject) => {
      const r = https.request(req.url, { method: req.method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          const status = res.statusCode ?? 0;
          resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers: h }));
        });
      });
      r.setTimeout(30_000, () => r.destroy(new Error('timeout')));
      r.on('error', reject);
      r.end(body);
    });
  }) as FetchLike & { close(): void };
  f.close = () => agent.destroy();
  return f;
}

/**
 * The Node GraphBatchPort for tests, the kill-test runner and the benchmark: `POST {root}/v1.0/$batch`
 * over node:https with keep-alive, trusting an extra CA (the lab's). Same contract as the app's fetch
 * port; a dropped connection or timeout rejects (the pipeline treats it as "outcome unknown").
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { BatchBody, BatchHttpResponse, GraphBatchPort } from '../../../src-renderer/lib/soa/bulk/ports';

export interface NodeGraphBatchPortOptions {
  graphRoot: string;
  caCertPath?: string;
  getToken(scopes: readonly string[]): Promise<string>;
  timeoutMs?: number;
  maxSockets?: number;
}

export function createNodeGraphBatchPort(o: NodeGraphBatchPortOptions): GraphBatchPort & { close(): void } {
  const ca = o.caCertPath ? readFileSync(o.caCertPath) : undefined;
  const agent = new https.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 16, ...(ca ? { ca } : {}) });
  const url = new URL(`${o.graphRoot.replace(/\/+$/, '')}/v1.0/$batch`);
  return {
    close: () => agent.destroy(),
    async sendBatch(body: BatchBody, { scopes, signal }): Promise<BatchHttpResponse> {
      const token = await o.getToken(scopes);
      const payload = Buffer.from(JSON.stringify(body));
      return await new Promise<BatchHttpResponse>((resolve, reject) => {
        const req = https.request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/json',
              'Content-Length': payload.length,
              Accept: 'application/json',
            },
            ...(signal ? { signal } : {}),
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('aborted', () => reject(new Error('response aborted')));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown;
              try {
                parsed = text ? JSON.parse(text) : undefined;
              } catch {
                parsed = undefined;
              }
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
              resolve({ status: res.statusCode ?? 0, headers, body: parsed });
            });
          },
        );
        req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

/**
 * Test-side HTTP client for the lab: node:https trusting the lab CA (nothing else), JSON in/out.
 */
import https from 'node:https';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { LabHandle } from '../../../../src-main/lab/index';

export interface LabResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface CallOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** raw body (sent as-is) */
  raw?: string;
}

const caCache = new Map<string, string>();
function ca(path: string): string {
  let v = caCache.get(path);
  if (!v) {
    v = readFileSync(path, 'utf8');
    caCache.set(path, v);
  }
  return v;
}

export function request(url: string, caPath: string | null, opts: CallOptions = {}): Promise<LabResponse> {
  const u = new URL(url);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let payload: string | undefined;
  if (opts.raw !== undefined) payload = opts.raw;
  else if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: opts.method ?? 'GET',
        headers,
        ...(u.protocol === 'https:' && caPath ? { ca: ca(caPath), agent: false } : { agent: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? (JSON.parse(text) as unknown) : null;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Graph call: path below the version, e.g. `/contacts?$top=1` (version v1.0 unless the path starts with /beta). */
export function graph(lab: LabHandle, path: string, opts: CallOptions = {}): Promise<LabResponse> {
  const full = path.startsWith('/beta/') || path.startsWith('/v1.0/') ? path : `/v1.0${path}`;
  return request(`${lab.info.graphBaseUrl}${full}`, lab.info.caCertPath, opts);
}

export function control(lab: LabHandle, method: string, path: string, body?: unknown): Promise<LabResponse> {
  return request(`${lab.info.controlUrl}${path}`, null, { method, body, token: lab.info.controlToken });
}

export const SOA_SCOPES = [
  'Contacts-OnPremisesSyncBehavior.ReadWrite.All',
  'User-OnPremisesSyncBehavior.ReadWrite.All',
  'Group-OnPremisesSyncBehavior.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'AuditLog.Read.All',
  'User.Read',
];

export const UPN = {
  full: 'hybrid.admin@contoso.onmicrosoft.com',
  noAudit: 'hybrid.noaudit@contoso.onmicrosoft.com',
  noRole: 'helpdesk@contoso.onmicrosoft.com',
  au: 'au.admin@contoso.onmicrosoft.com',
  noConsent: 'noconsent.admin@contoso.onmicrosoft.com',
  global: 'global.admin@contoso.onmicrosoft.com',
} as const;

export function rec(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not an object: ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}
export function arr(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new Error(`not an array: ${JSON.stringify(v)}`);
  return v;
}
export function errorOf(r: LabResponse): { code: string; message: string; innerError: Record<string, unknown> } {
  const e = rec(rec(r.json).error);
  return { code: String(e.code), message: String(e.message), innerError: rec(e.innerError) };
}

/** Ids of contacts in a given SOA state (control API). */
export async function contactIds(lab: LabHandle, state: string, limit = 5): Promise<string[]> {
  const r = await lab.control('GET', `/objects?kind=contact&state=${state}&limit=${limit}`);
  return arr(rec(r.body).value).map((o) => String(rec(o).id));
}

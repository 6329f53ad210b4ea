import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { arr, contactIds, errorOf, graph, rec, request, SOA_SCOPES, UPN } from './lab-http';

let lab: LabHandle;
let token: string;

beforeAll(async () => {
  lab = await startLab({ seed: 21, contacts: 60 });
  token = await lab.mintToken(UPN.full, SOA_SCOPES);
});
afterAll(async () => {
  await lab.close();
});
beforeEach(async () => {
  lab.faults.clear();
  lab.updateSettings({ throttleScale: 1 });
  await lab.control('DELETE', '/throttle');
});

const patchStep = (id: string, cid: string, value = true): Record<string, unknown> => ({
  id,
  method: 'PATCH',
  url: `/contacts/${cid}/onPremisesSyncBehavior`,
  headers: { 'Content-Type': 'application/json' },
  body: { isCloudManaged: value },
});

describe('lab Graph: $batch', () => {
  it('evaluates each request on its own; ids echoed; inner errors in the Graph shape', async () => {
    const [a, b] = await contactIds(lab, 'synced', 2);
    const r = await graph(lab, '/$batch', {
      token,
      method: 'POST',
      body: {
        requests: [
          patchStep('1', a ?? ''),
          { id: '2', method: 'GET', url: `/contacts/${b}/onPremisesSyncBehavior?$select=isCloudManaged` },
          { id: '3', method: 'GET', url: '/contacts/00000000-0000-0000-0000-000000000000' },
        ],
      },
    });
    expect(r.status).toBe(200);
    const res = arr(rec(r.json).responses).map(rec);
    expect(res.map((x) => x.id)).toEqual(['1', '2', '3']);
    expect(res.map((x) => x.status)).toEqual([204, 200, 404]);
    expect(rec(res[1]?.body).isCloudManaged).toBe(false);
    expect(rec(rec(res[2]?.body).error).code).toBe('Request_ResourceNotFound');
    expect(rec(res[0]?.headers)['request-id']).toBeDefined();
    expect(lab.writeLog().filter((w) => w.objectId === a && w.batchStepId === '1')).toHaveLength(1);
  });

  it('dependsOn: a failed dependency gives 424 without running the request', async () => {
    const [c] = await contactIds(lab, 'synced', 1);
    const r = await graph(lab, '/$batch', {
      token,
      method: 'POST',
      body: {
        requests: [
          { ...patchStep('1', '00000000-0000-0000-0000-000000000000') },
          { ...patchStep('2', c ?? ''), dependsOn: ['1'] },
        ],
      },
    });
    const res = arr(rec(r.json).responses).map(rec);
    expect(res.map((x) => x.status)).toEqual([404, 424]);
    expect(lab.tenant().object(c ?? '')?.isCloudManaged).toBe(false);
  });

  it('400 for more than 20 requests and for a malformed batch', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/me' }));
    const r = await graph(lab, '/$batch', { token, method: 'POST', body: { requests: many } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('BadRequest');
    const m = await graph(lab, '/$batch', {
      token,
      method: 'POST',
      raw: '{"requests": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(m.status).toBe(400);
    const dup = await graph(lab, '/$batch', {
      token,
      method: 'POST',
      body: {
        requests: [
          { id: '1', method: 'GET', url: '/me' },
          { id: '1', method: 'GET', url: '/me' },
        ],
      },
    });
    expect(dup.status).toBe(400);
  });

  it('throttles each inner request: an inner 429 inside an outer 200', async () => {
    lab.updateSettings({ throttleScale: 0.001 }); // 3 writes per 150 s per app+tenant
    const ids = await contactIds(lab, 'synced', 10);
    const r = await graph(lab, '/$batch', {
      token,
      method: 'POST',
      body: { requests: ids.slice(2, 7).map((cid, i) => patchStep(String(i + 1), cid)) },
    });
    expect(r.status).toBe(200);
    const res = arr(rec(r.json).responses).map(rec);
    expect(res.map((x) => x.status)).toEqual([204, 204, 204, 429, 429]);
    const h = rec(res[3]?.headers);
    expect(Number(h['Retry-After'])).toBeGreaterThan(0);
    expect(h['x-ms-throttle-scope']).toBe(`Tenant_Application/ReadWrite/${lab.info.clientId}/${lab.info.tenantId}`);
    expect(h['x-ms-throttle-information']).toBe('WriteLimitExceeded');
  });
});

describe('lab Graph: throttling', () => {
  it('429 with Retry-After and x-ms-throttle-* headers; x-ms-throttle-limit-percentage above 0.8', async () => {
    lab.updateSettings({ throttleScale: 0.002 }); // 6 writes per 150 s
    const ids = await contactIds(lab, 'synced', 20);
    const statuses: number[] = [];
    const pct: (string | undefined)[] = [];
    let last = null as Awaited<ReturnType<typeof graph>> | null;
    for (const cid of ids.slice(12, 19)) {
      last = await graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, {
        token,
        method: 'PATCH',
        body: { isCloudManaged: true },
      });
      statuses.push(last.status);
      pct.push(last.headers['x-ms-throttle-limit-percentage'] as string | undefined);
    }
    expect(statuses).toEqual([204, 204, 204, 204, 204, 204, 429]);
    expect(pct.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(pct[4]).toBe('0.8');
    expect(pct[5]).toBe('1.0');
    expect(last?.headers['retry-after']).toMatch(/^\d+$/);
    expect(last?.headers['x-ms-throttle-scope']).toBe(
      `Tenant_Application/ReadWrite/${lab.info.clientId}/${lab.info.tenantId}`,
    );
    expect(last?.headers['x-ms-throttle-information']).toBe('WriteLimitExceeded');
    expect(errorOf(last ?? { status: 0, headers: {}, text: '', json: null }).code).toBe('Request_ThrottledTemporarily');
    // reads are not write-throttled
    expect((await graph(lab, '/me', { token })).status).toBe(200);
    // the bucket refills with (lab) time
    lab.setClockOffset(60_000);
    try {
      const again = await graph(lab, `/contacts/${ids[19]}/onPremisesSyncBehavior`, {
        token,
        method: 'PATCH',
        body: { isCloudManaged: true },
      });
      expect(again.status).toBe(204);
    } finally {
      lab.setClockOffset(0);
    }
  });
});

describe('lab Graph: the tenant-wide budget shared with other apps', () => {
  const patch = (cid: string): ReturnType<typeof graph> =>
    graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, { token, method: 'PATCH', body: { isCloudManaged: true } });

  it('POST /throttle drains the tenant bucket (other apps spent it): the next write is refused with the tenant scope', async () => {
    const [a, b] = await contactIds(lab, 'synced', 2);
    expect((await lab.control('POST', '/throttle', { bucket: 'tenantWrites', fill: 0 })).status).toBe(200);
    const r = await patch(a ?? '');
    expect(r.status).toBe(429);
    expect(String(r.headers['x-ms-throttle-scope'])).toBe(`Tenant/ReadWrite/${lab.info.tenantId}`);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(lab.writeLog().filter((w) => w.objectId === a)).toHaveLength(0);
    // the failing case: a full bucket takes the same write
    expect((await lab.control('POST', '/throttle', { bucket: 'tenantWrites', fill: 1 })).status).toBe(200);
    expect((await patch(b ?? '')).status).toBe(204);
    expect((await lab.control('POST', '/throttle', { bucket: 'nope', fill: 1 })).status).toBe(400);
    expect((await lab.control('POST', '/throttle', { bucket: 'tenantWrites', fill: 2 })).status).toBe(400);
  });

  it("other apps' writes refused by an empty bucket count against usage: the percentage climbs towards 1.8", async () => {
    const [a] = await contactIds(lab, 'synced', 1);
    lab.updateSettings({ throttleScale: 0.01, otherAppsWritesPerSecond: 0.5 }); // tenant refill 0.6/s, cap 180
    await lab.control('POST', '/throttle', { bucket: 'tenantWrites', fill: 0 });
    const first = await patch(a ?? '');
    expect(first.status).toBe(429);
    expect(Number(first.headers['x-ms-throttle-limit-percentage'])).toBeLessThan(1.2);
    // other apps want far more than the tenant refills for two minutes
    lab.updateSettings({ otherAppsWritesPerSecond: 5 });
    lab.setClockOffset(120_000);
    try {
      const r = await patch(a ?? '');
      expect(r.status).toBe(429);
      const p = Number(r.headers['x-ms-throttle-limit-percentage']);
      expect(p).toBeGreaterThanOrEqual(1.6);
      expect(p).toBeLessThanOrEqual(1.8);
    } finally {
      lab.setClockOffset(0);
      lab.updateSettings({ otherAppsWritesPerSecond: 0 });
    }
  });
});

describe('lab faults and write log', () => {
  it('status faults (count), latency, and no write happens', async () => {
    const [cid] = await contactIds(lab, 'synced', 1);
    await lab.control('POST', '/faults', {
      method: 'PATCH',
      path: '/onPremisesSyncBehavior$',
      kind: 'status',
      status: 503,
      retryAfterSeconds: 2,
      count: 1,
    });
    const before = lab.writeLog().length;
    const r1 = await graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, {
      token,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(r1.status).toBe(503);
    expect(r1.headers['retry-after']).toBe('2');
    expect(errorOf(r1).code).toBe('ServiceUnavailable');
    expect(lab.writeLog().length).toBe(before);
    const r2 = await graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, {
      token,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(r2.status).toBe(204);
    expect(lab.writeLog().length).toBe(before + 1);
  });

  it('an injected 429 answers like a dry bucket, inside $batch too, and writes nothing', async () => {
    const [, , , cid] = await contactIds(lab, 'synced', 4);
    await lab.control('POST', '/faults', {
      method: 'PATCH',
      path: `/contacts/${cid}/onPremisesSyncBehavior$`,
      kind: 'status',
      status: 429,
      retryAfterSeconds: 3,
      count: 2,
    });
    const before = lab.writeLog().length;
    const direct = await graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, {
      token,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(direct.status).toBe(429);
    expect(direct.headers['retry-after']).toBe('3');
    expect(direct.headers['x-ms-throttle-limit-percentage']).toBe('1.0');
    expect(errorOf(direct)).toMatchObject({
      code: 'Request_ThrottledTemporarily',
      message: 'Your request is throttled temporarily. Please try after 3 seconds.',
    });
    const batch = await graph(lab, '/$batch', {
      token,
      method: 'POST',
      body: {
        requests: [
          {
            id: '1',
            method: 'PATCH',
            url: `/contacts/${cid}/onPremisesSyncBehavior`,
            headers: { 'Content-Type': 'application/json' },
            body: { isCloudManaged: true },
          },
        ],
      },
    });
    expect(batch.status).toBe(200);
    const inner = (batch.json as { responses: { id: string; status: number; headers: Record<string, string> }[] })
      .responses[0];
    expect(inner).toMatchObject({ id: '1', status: 429, headers: { 'Retry-After': '3' } });
    expect(lab.writeLog().length).toBe(before);
  });

  it('dropped connection: no response, no write', async () => {
    const [, cid] = await contactIds(lab, 'synced', 2);
    const f = await lab.control('POST', '/faults', {
      method: 'PATCH',
      path: `/contacts/${cid}/`,
      kind: 'drop',
      count: 1,
    });
    expect(f.status).toBe(201);
    const before = lab.writeLog().length;
    await expect(
      graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, { token, method: 'PATCH', body: { isCloudManaged: true } }),
    ).rejects.toThrow();
    expect(lab.writeLog().length).toBe(before);
    expect(lab.tenant().object(cid ?? '')?.isCloudManaged).toBe(false);
  });

  it('applied but response lost: the change happens once, the socket closes', async () => {
    const [, , cid] = await contactIds(lab, 'synced', 3);
    await lab.control('POST', '/faults', {
      method: 'PATCH',
      path: `/contacts/${cid}/onPremisesSyncBehavior$`,
      kind: 'appliedLost',
      count: 1,
    });
    await expect(
      graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, { token, method: 'PATCH', body: { isCloudManaged: true } }),
    ).rejects.toThrow();
    expect(lab.tenant().object(cid ?? '')?.isCloudManaged).toBe(true);
    const writes = lab.writeLog().filter((w) => w.objectId === cid);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: 'PATCH', upn: UPN.full, body: { isCloudManaged: true } });
    // a retry by a careful client first reads the state
    const g = await graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, { token });
    expect(rec(g.json).isCloudManaged).toBe(true);
  });

  it('probability faults are deterministic per seed; latency faults delay', async () => {
    await lab.control('POST', '/faults', {
      method: 'GET',
      path: '^/v1\\.0/me$',
      kind: 'status',
      status: 500,
      probability: 0.5,
    });
    const a: number[] = [];
    for (let i = 0; i < 8; i++) a.push((await graph(lab, '/me', { token })).status);
    expect(new Set(a)).toEqual(new Set([200, 500]));
    await lab.control('DELETE', '/faults');
    await lab.control('POST', '/faults', { path: '^/v1\\.0/me$', kind: 'latency', latencyMs: 50, count: 1 });
    const list = await lab.control('GET', '/faults');
    expect(arr(rec(list.body).value)).toHaveLength(1);
    expect((await graph(lab, '/me', { token })).status).toBe(200);
    const after = await lab.control('GET', '/faults');
    expect(rec(arr(rec(after.body).value)[0]).hits).toBe(1);
  });

  it('faults can target identity endpoints too', async () => {
    await lab.control('POST', '/faults', { path: '/discovery/v2.0/keys$', kind: 'status', status: 504, count: 1 });
    const r = await request(`${lab.info.authority}/discovery/v2.0/keys`, lab.info.caCertPath);
    expect(r.status).toBe(504);
    const r2 = await request(`${lab.info.authority}/discovery/v2.0/keys`, lab.info.caCertPath);
    expect(r2.status).toBe(200);
  });
});

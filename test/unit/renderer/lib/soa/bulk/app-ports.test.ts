/**
 * The app-side ports: the IPC journal port over the real router and main-process journal, the
 * session Graph port (with an injected fetch), and saved plans round-tripping through `parsePlanFile`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../../../../../src-main/services';
import { JOURNAL_APPEND_MANY_MAX, type IpcResult } from '@contract';
import { createIpcJournalPort, type BridgeCall } from '../../../../../../src-renderer/lib/soa/bulk/bridge-ports';
import { createSessionGraphBatchPort } from '../../../../../../src-renderer/lib/soa/bulk/session-graph-batch-port';
import { createGraphSession, type FetchLike } from '../../../../../../src-renderer/lib/graph/graph-client';
import { runBulk } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import { buildPlan, parsePlanFile, planItems } from '../../../../../../src-renderer/lib/soa/bulk/plan';
import { FakeGraph } from './fake-graph';
import { Journal } from '../../../../../../src-main/journal/journal';
import { journalRefusalOf } from '../../../../../../src-renderer/lib/soa/bulk/ports';

describe('app ports', () => {
  let dir: string;
  let services: Services;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-app-'));
    services = createServices({
      transport: 'browser',
      dataDir: dir,
      settingsOverride: { tenant: 'contoso.example' },
      validateSender: () => true,
    });
  });
  afterEach(async () => {
    await services.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a saved plan with the journal in main through the router', async () => {
    const call = (name: string) => (input: unknown) =>
      services.router.dispatch(name, input, { kind: 'bridge', remoteAddress: '127.0.0.1' }, () => {});
    const bridge = { call: (name: string, input: unknown) => call(name)(input) } as BridgeCall;
    const graph = new FakeGraph();
    for (let i = 0; i < 45; i++) graph.add({ id: `c-${i}` });
    graph.add({ id: 'c-cloud', onPremisesSyncEnabled: null });
    const objects = [...graph.objects.keys()].map((id) => ({
      id,
      objectType: 'contact' as const,
      displayName: id,
      mail: null,
      source: 'test',
    }));
    const plan = await buildPlan({
      kind: 'transfer',
      objectType: 'contact',
      objects,
      graph,
      scope: { kind: 'tenant' },
      planId: 'saved',
    });
    const reloaded = parsePlanFile(JSON.stringify(plan));
    expect(reloaded).toEqual(plan);
    const summary = await runBulk({
      runId: 'app-run',
      items: planItems(reloaded),
      graph,
      journal: createIpcJournalPort(bridge),
      retry: { baseMs: 1, maxMs: 5 },
    });
    expect(summary.progress).toMatchObject({ total: 45, verified: 45 });
    expect(graph.objects.get('c-cloud')?.isCloudManaged).toBe(false);
    const lines = readFileSync(path.join(dir, 'journal', 'contoso.example', 'seg-000001.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(90);
    const pending = (await call('journal.pending')({})) as IpcResult<{ pending: unknown[] }>;
    expect(pending).toMatchObject({ ok: true, value: { pending: [] } });
    expect(() => parsePlanFile('{"version":2}')).toThrow();
  });

  it('the IPC journal port reports the one refused record and keeps the others durable', async () => {
    const bridge = {
      call: (name: string, input: unknown) =>
        services.router.dispatch(name, input, { kind: 'bridge', remoteAddress: '127.0.0.1' }, () => {}),
    } as BridgeCall;
    const port = createIpcJournalPort(bridge);
    const rec = (opId: string, displayName: string) => ({
      kind: 'intent' as const,
      opId,
      runId: 'r',
      objectType: 'contact' as const,
      objectId: opId,
      displayName,
      action: 'transfer' as const,
      request: { method: 'PATCH', url: `/contacts/${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
    });
    const err = await port
      .append([
        rec('a', 'Bearer Logistics'),
        rec('b', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl'),
        rec('c', 'Standard Bearer Investments'),
      ])
      .catch((e: unknown) => e);
    expect(journalRefusalOf(err)?.refused.map((r) => r.opId)).toEqual(['b']);
    expect((await port.readRun('r')).map((r) => r.opId).sort()).toEqual(['a', 'c']);
    await expect(port.append([rec('d', 'Flag Bearer Consulting GmbH')])).resolves.toBeUndefined();
  });

  it('the IPC journal port appends a batch in one bridge call (one fsync), chunked past the contract maximum', async () => {
    const calls: { name: string; n: number }[] = [];
    const bridge = {
      call: (name: string, input: unknown) => {
        const n = (input as { records?: unknown[] }).records?.length ?? 1;
        calls.push({ name, n });
        return services.router.dispatch(name, input, { kind: 'bridge', remoteAddress: '127.0.0.1' }, () => {});
      },
    } as BridgeCall;
    const port = createIpcJournalPort(bridge);
    const rec = (opId: string) => ({
      kind: 'intent' as const,
      opId,
      runId: 'batched',
      objectType: 'contact' as const,
      objectId: opId,
      action: 'transfer' as const,
      request: { method: 'PATCH', url: `/contacts/${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
    });
    await port.append(Array.from({ length: 20 }, (_, i) => rec(`b-${i}`)));
    expect(calls).toEqual([{ name: 'journal.appendMany', n: 20 }]);
    calls.length = 0;
    await port.append(Array.from({ length: JOURNAL_APPEND_MANY_MAX * 2 + 7 }, (_, i) => rec(`m-${i}`)));
    expect(calls.map((c) => c.n)).toEqual([JOURNAL_APPEND_MANY_MAX, JOURNAL_APPEND_MANY_MAX, 7]);
    const back = await port.readRun('batched');
    expect(back).toHaveLength(20 + JOURNAL_APPEND_MANY_MAX * 2 + 7);
    expect(back.map((r) => r.seq)).toEqual(back.map((_, i) => i + 1));
  });

  it('the IPC journal port reads a run of any size back whole, in pages', async () => {
    const direct = new Journal(dir, 'contoso.example');
    const rec = (opId: string, runId: string) => ({
      kind: 'intent' as const,
      opId,
      runId,
      objectType: 'contact' as const,
      objectId: opId,
      action: 'transfer' as const,
      request: { method: 'PATCH', url: `/contacts/${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
    });
    const big = Array.from({ length: 10_050 }, (_, i) => rec(`big-${i}`, 'big'));
    for (let i = 0; i < big.length; i += 2000) await direct.appendMany(big.slice(i, i + 2000));
    await direct.appendMany([
      rec('other', 'small'),
      { kind: 'result', opId: 'big-0', outcome: 'done', verified: true },
    ]);
    await direct.close();
    const reads: unknown[] = [];
    const bridge = {
      call: (name: string, input: unknown) => {
        if (name === 'journal.read') reads.push(input);
        return services.router.dispatch(name, input, { kind: 'bridge', remoteAddress: '127.0.0.1' }, () => {});
      },
    } as BridgeCall;
    const records = await createIpcJournalPort(bridge).readRun('big');
    expect(records).toHaveLength(10_051);
    expect(new Set(records.map((r) => r.seq)).size).toBe(10_051);
    expect(records.at(-1)).toMatchObject({ kind: 'result', opId: 'big-0' });
    expect(reads.length).toBeGreaterThan(1);
  });

  it('the session Graph port posts one $batch with the token only in the Authorization header', async () => {
    const seen: { url: string; auth: string | null; body: string }[] = [];
    const fakeFetch = (async (input: string | Request, init?: RequestInit) => {
      const req = typeof input === 'string' ? undefined : input;
      const headers = new Headers(init?.headers ?? req?.headers);
      seen.push({ url: req?.url ?? String(input), auth: headers.get('authorization'), body: String(init?.body) });
      return new Response(JSON.stringify({ responses: [{ id: '1', status: 200, body: { isCloudManaged: true } }] }), {
        status: 200,
        headers: { 'content-type': 'application/json', 'request-id': 'r-1' },
      });
    }) as FetchLike;
    const scopesAsked: string[][] = [];
    const port = createSessionGraphBatchPort(
      createGraphSession({
        baseUrl: 'https://graph.example/',
        customHosts: ['graph.example'],
        tokenSource: async (scopes) => {
          scopesAsked.push([...scopes]);
          return 'tok-123';
        },
        fetch: fakeFetch,
      }),
    );
    const res = await port.sendBatch(
      { requests: [{ id: '1', method: 'GET', url: '/contacts/x/onPremisesSyncBehavior' }] },
      { scopes: ['Contacts-OnPremisesSyncBehavior.ReadWrite.All'] },
    );
    expect(res).toMatchObject({
      status: 200,
      headers: { 'request-id': 'r-1' },
      body: { responses: [{ id: '1', status: 200 }] },
    });
    expect(seen[0]).toMatchObject({ url: 'https://graph.example/v1.0/$batch', auth: 'Bearer tok-123' });
    expect(seen[0]?.body).not.toContain('tok-123');
    expect(scopesAsked).toEqual([['Contacts-OnPremisesSyncBehavior.ReadWrite.All']]);
    await expect(port.sendBatch({ requests: [] }, { scopes: [] })).rejects.toThrow(/1–20/);
  });

  it('the session Graph port does not retry an outer 429 itself: the pacer must see it', async () => {
    let calls = 0;
    const port = createSessionGraphBatchPort(
      createGraphSession({
        baseUrl: 'https://graph.example/',
        customHosts: ['graph.example'],
        tokenSource: async () => 'tok',
        retryDelaySeconds: 0,
        fetch: (async () => {
          calls++;
          return new Response('{}', { status: 429, headers: { 'retry-after': '1' } });
        }) as FetchLike,
      }),
    );
    const res = await port.sendBatch(
      { requests: [{ id: '1', method: 'GET', url: '/contacts' }] },
      { scopes: ['OrgContact.Read.All'] },
    );
    expect(res).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    expect(calls).toBe(1);
  });
});

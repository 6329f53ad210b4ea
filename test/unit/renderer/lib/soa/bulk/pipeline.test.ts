import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeGraph } from './fake-graph';
import { Journal, journalPortOf } from '../../../../../../src-main/journal/journal';
import {
  runBulk,
  RunControl,
  opIdFor,
  type BulkItem,
  type RunProgress,
} from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import type { JournalPort, GraphBatchPort } from '../../../../../../src-renderer/lib/soa/bulk/ports';
import { reverifyPending } from '../../../../../../src-renderer/lib/soa/bulk/reverify';
import type { StoredJournalRecord } from '@contract';

const FAST = {
  retry: { baseMs: 2, maxMs: 20, maxAttempts: 30, uncertainSettleMs: 5 },
  limits: { appWritesPerWindow: 1_000_000, tenantWritesPerWindow: 2_000_000, burst: 200 },
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function contacts(graph: FakeGraph, n: number): BulkItem[] {
  const items: BulkItem[] = [];
  for (let i = 0; i < n; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    graph.add({ id, displayName: `Contact ${i}` });
    items.push({ objectId: id, objectType: 'contact', displayName: `Contact ${i}`, action: 'transfer' });
  }
  return items;
}

/** Exactly one intent and one result per object of the run, results after intents. */
function expectConsistentJournal(records: StoredJournalRecord[], ids: string[], runId: string): void {
  const intents = new Map<string, number>();
  const results = new Map<string, number>();
  for (const r of records) {
    const m = r.kind === 'intent' ? intents : results;
    m.set(r.opId, (m.get(r.opId) ?? 0) + 1);
    if (r.kind === 'result') expect(intents.has(r.opId)).toBe(true);
  }
  for (const id of ids) {
    const op = opIdFor(runId, 'contact', id);
    expect(intents.get(op), `intents for ${id}`).toBe(1);
    expect(results.get(op), `results for ${id}`).toBe(1);
  }
}

describe('bulk pipeline (in-memory Graph)', () => {
  let dir: string;
  let journal: Journal;
  let port: JournalPort;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-'));
    journal = new Journal(dir, 'contoso');
    port = journalPortOf(journal);
  });
  afterEach(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a batch does not wait for its results to be durable: with one batch in flight, the run goes on while result appends are held', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 60);
    // result appends are held until Graph has seen every write; a run whose batch slot waited for them would never
    // send the later writes (one batch in flight) and hang
    const held: (() => void)[] = [];
    const releaseAll = (): void => {
      for (const r of held.splice(0)) r();
    };
    const holding: JournalPort = {
      readRun: (runId) => port.readRun(runId),
      append: async (records) => {
        if (records[0]?.kind === 'result' && graph.writeLog.length < items.length)
          await new Promise<void>((r) => held.push(r));
        await port.append(records);
        if (graph.writeLog.length >= items.length) releaseAll();
      },
    };
    const timer = setInterval(() => {
      if (graph.writeLog.length >= items.length) releaseAll();
    }, 5);
    try {
      const summary = await runBulk({
        runId: 'run-bg',
        items,
        graph,
        journal: holding,
        ...FAST,
        concurrency: { initial: 1, max: 1 },
      });
      expect(summary.progress).toMatchObject({ total: 60, verified: 60, failed: 0, unverified: 0 });
    } finally {
      clearInterval(timer);
    }
    expect(graph.writeLog).toHaveLength(60);
    const { records } = await journal.read({ runId: 'run-bg' });
    expectConsistentJournal(
      records,
      items.map((i) => i.objectId),
      'run-bg',
    );
  });

  it('intents are journaled ahead: with one batch in flight, batches go on while an intent append is held', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 100);
    // the second intent append is held until Graph has answered two more batches. Intents appended inside the
    // batch that carries their writes would hold that batch, the only one in flight, and nothing more would be
    // sent; the hold then ends after many turns of the event loop with no batch seen while it was on.
    let intentAppends = 0;
    let seenWhileHeld = -1;
    const holding: JournalPort = {
      readRun: (runId) => port.readRun(runId),
      append: async (records) => {
        if (records.some((r) => r.kind === 'intent') && ++intentAppends === 2) {
          const from = graph.batches;
          for (let turn = 0; turn < 500 && graph.batches < from + 2; turn++) await new Promise((r) => setTimeout(r, 0));
          seenWhileHeld = graph.batches - from;
        }
        await port.append(records);
      },
    };
    const summary = await runBulk({
      runId: 'run-ahead',
      items,
      graph,
      journal: holding,
      ...FAST,
      concurrency: { initial: 1, max: 1 },
    });
    expect(summary.progress).toMatchObject({ total: 100, verified: 100, failed: 0, unverified: 0 });
    expect(seenWhileHeld).toBeGreaterThanOrEqual(2);
    // and still: one intent and one result per object, every write after its intent
    expect(graph.writeLog).toHaveLength(100);
    const { records } = await journal.read({ runId: 'run-ahead' });
    expectConsistentJournal(
      records,
      items.map((i) => i.objectId),
      'run-ahead',
    );
  });

  it('transfers and verifies every object with batches of at most 20, one write each, journaled', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 250);
    graph.objects.get(items[3]!.objectId)!.isCloudManaged = true; // changed since the plan: skipped at re-check
    const events: RunProgress[] = [];
    const summary = await runBulk({
      runId: 'run-a',
      items,
      graph,
      journal: port,
      ...FAST,
      onProgress: (p) => events.push(p),
    });
    expect(summary.progress).toMatchObject({
      total: 250,
      verified: 249,
      skipped: 1,
      failed: 0,
      unverified: 0,
      remaining: 0,
      state: 'finished',
    });
    expect(graph.maxBatchSize).toBeLessThanOrEqual(20);
    for (const it of items) expect(graph.objects.get(it.objectId)!.isCloudManaged).toBe(true);
    expect(graph.writeLog).toHaveLength(249);
    expect(new Set(graph.writeLog.map((w) => w.id)).size).toBe(249);
    const { records } = await journal.read({ runId: 'run-a' });
    expectConsistentJournal(
      records,
      items.filter((_, i) => i !== 3).map((i) => i.objectId),
      'run-a',
    );
    expect(records.some((r) => r.opId === opIdFor('run-a', 'contact', items[3]!.objectId))).toBe(false);
    expect(events.at(-1)?.done).toBe(250);
    expect(events.some((e) => e.done > 0 && e.done < 250)).toBe(true);
  });

  it('keeps exactly as many write batches in flight as its concurrency allows, never one more', async () => {
    const graph = new FakeGraph();
    graph.latencyMs = 3; // batches overlap only while Graph takes its time
    const items = contacts(graph, 300);
    let writing = 0;
    let mostWriting = 0;
    const counting: GraphBatchPort = {
      sendBatch: async (body) => {
        const writes = body.requests.some((r) => r.method === 'PATCH');
        if (writes) mostWriting = Math.max(mostWriting, ++writing);
        try {
          return await graph.sendBatch(body);
        } finally {
          if (writes) writing--;
        }
      },
    };
    const summary = await runBulk({
      runId: 'run-conc',
      items,
      graph: counting,
      journal: port,
      ...FAST,
      concurrency: { initial: 3, max: 3 },
    });
    expect(summary.progress).toMatchObject({ total: 300, verified: 300, failed: 0, unverified: 0 });
    expect(graph.writeLog).toHaveLength(300);
    expect(mostWriting).toBe(3);
  });

  it('ends in the planned state under 429s, 503s, dropped connections and applied-but-lost responses, with no double writes', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 400);
    const r = rng(7);
    graph.faults = {
      decide: (req, batchNo) => {
        if (batchNo % 9 === 0) return 'drop';
        if (batchNo % 13 === 0) return 'lost';
        const x = r();
        if (x < 0.12) return '429';
        if (x < 0.2) return '503';
        return 'none';
      },
    };
    const summary = await runBulk({ runId: 'run-f', items, graph, journal: port, ...FAST, random: rng(1) });
    expect(summary.progress).toMatchObject({ verified: 400, failed: 0, unverified: 0 });
    for (const it of items) {
      expect(graph.objects.get(it.objectId)!.isCloudManaged).toBe(true);
      expect(graph.writesFor(it.objectId), it.objectId).toBe(1);
    }
    expectConsistentJournal(
      (await journal.read({ runId: 'run-f' })).records,
      items.map((i) => i.objectId),
      'run-f',
    );
    expect(summary.progress.throttled).toBeGreaterThan(0);
    expect(summary.progress.retries).toBeGreaterThan(0);
  });

  it('resumes after a crash at any point: uncertain objects are re-read, none written twice, every intent gets one result', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 200);
    for (const crashAt of [3, 8, 15, 22]) {
      // a "process" whose journal and network die after `crashAt` batches; the crash batch is applied but its answer lost
      let dead = false;
      let n = 0;
      const dyingGraph: GraphBatchPort = {
        sendBatch: async (body) => {
          if (dead) throw new Error('process gone');
          if (++n >= crashAt) {
            await graph.sendBatch(body);
            dead = true;
            throw new Error('killed');
          }
          return graph.sendBatch(body);
        },
      };
      const dyingJournal: JournalPort = {
        append: async (rs) => {
          if (dead) throw new Error('process gone');
          await port.append(rs);
        },
        readRun: (id) => port.readRun(id),
      };
      await runBulk({ runId: 'run-k', items, graph: dyingGraph, journal: dyingJournal, ...FAST }).then(
        () => undefined,
        () => undefined,
      );
    }
    const summary = await runBulk({ runId: 'run-k', items, graph, journal: port, ...FAST });
    expect(summary.progress).toMatchObject({ verified: 200, failed: 0, unverified: 0 });
    for (const it of items) expect(graph.writesFor(it.objectId)).toBe(1);
    expectConsistentJournal(
      (await journal.read({ runId: 'run-k' })).records,
      items.map((i) => i.objectId),
      'run-k',
    );
    expect(await journal.pending()).toEqual([]);
    expect(summary.items.some((i) => i.fromJournal)).toBe(true);
  });

  it('pauses and cancels at batch boundaries; a resume finishes the plan', async () => {
    const graph = new FakeGraph();
    graph.latencyMs = 5;
    const items = contacts(graph, 300);
    const control = new RunControl();
    let batchesAtPause = -1;
    const run = runBulk({
      runId: 'run-p',
      items,
      graph,
      journal: port,
      ...FAST,
      control,
      concurrency: { initial: 1, max: 1 },
      onProgress: (p) => {
        if (p.verified >= 40 && batchesAtPause < 0) {
          control.pause();
          batchesAtPause = graph.batches;
        }
      },
    });
    // Wait for the pause itself (a loaded machine may take longer than any fixed delay), then give a
    // running pipeline time to send more batches: a pause that does not hold would show here.
    await vi.waitFor(() => expect(batchesAtPause).toBeGreaterThanOrEqual(0), { timeout: 20_000, interval: 5 });
    await new Promise((r) => setTimeout(r, 150));
    expect(graph.batches - batchesAtPause).toBeLessThanOrEqual(1); // at most the batch in flight
    control.cancel();
    const summary = await run;
    expect(summary.cancelled).toBe(true);
    expect(summary.progress.state).toBe('cancelled');
    expect(summary.items.filter((i) => i.outcome === 'cancelled').length).toBeGreaterThan(0);
    // written objects are all verified (nothing left written-but-unread)
    for (const i of summary.items) if (i.written) expect(i.outcome).toBe('verified');
    const resumed = await runBulk({ runId: 'run-p', items, graph, journal: port, ...FAST });
    expect(resumed.progress).toMatchObject({ verified: 300, failed: 0, unverified: 0 });
    for (const it of items) expect(graph.writesFor(it.objectId)).toBe(1);
    expectConsistentJournal(
      (await journal.read({ runId: 'run-p' })).records,
      items.map((i) => i.objectId),
      'run-p',
    );
  });

  it('slows its write rate when responses report x-ms-throttle-limit-percentage over the limit', async () => {
    const graph = new FakeGraph();
    graph.latencyMs = 2;
    graph.limitPercentage = '1.3'; // a fraction: 30 % over the limit (0.8–1.0 only stops the climb; pacer.test.ts)
    const items = contacts(graph, 120);
    const rates: number[] = [];
    const summary = await runBulk({
      runId: 'run-pct',
      items,
      graph,
      journal: port,
      ...FAST,
      limits: { appWritesPerWindow: 150_000, tenantWritesPerWindow: 2_000_000, burst: 40 },
      onProgress: (p) => rates.push(p.writeRate),
    });
    expect(summary.progress.verified).toBe(120);
    const paced = Math.round(((150_000 - 40) / 150) * 0.995 * 10) / 10; // pacedRate: burst off the window, 99.5 %
    expect(rates[0]).toBe(paced);
    expect(Math.min(...rates)).toBeLessThanOrEqual(paced * 0.8);
  });

  it('records failures (404 at write) with a final record and keeps going', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 30);
    const victim = items[5]!.objectId;
    graph.faults = {
      decide: (req) =>
        req.method === 'PATCH' && req.url.includes(victim) && graph.objects.delete(victim) ? 'none' : 'none',
    };
    const summary = await runBulk({ runId: 'run-e', items, graph, journal: port, ...FAST });
    const failed = summary.items.find((i) => i.objectId === victim)!;
    expect(failed.outcome).toBe('failed');
    expect(failed.reason).toMatch(/404/);
    expect(summary.progress.verified).toBe(29);
    const recs = (await journal.read({ runId: 'run-e' })).records.filter(
      (r) => r.opId === opIdFor('run-e', 'contact', victim),
    );
    expect(recs.map((r) => r.kind)).toEqual(['intent', 'result']);
    expect(recs[1]).toMatchObject({ outcome: 'failed', verified: false, status: 404 });
  });

  it('journals names with "Bearer" in them; a record the journal refuses fails only its own object', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 60);
    const names = ['Standard Bearer Investments', 'Flag Bearer Consulting GmbH', 'Bearer Logistics'];
    names.forEach((name, i) => (items[i * 7]!.displayName = name));
    // a display name that is a JWT: the journal refuses that intent (and only that one)
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';
    const poisoned = items[30]!;
    poisoned.displayName = jwt;
    const summary = await runBulk({ runId: 'run-names', items, graph, journal: port, ...FAST });
    expect(summary.progress).toMatchObject({ total: 60, verified: 59, failed: 1, state: 'finished' });
    const failed = summary.items.find((r) => r.outcome === 'failed');
    expect(failed?.objectId).toBe(poisoned.objectId);
    expect(failed?.reason).toMatch(/displayName looks like a credential \(jwt\)/);
    expect(failed?.reason).not.toContain(jwt);
    expect(graph.writeLog.some((w) => w.id === poisoned.objectId)).toBe(false);
    expect(graph.objects.get(poisoned.objectId)!.isCloudManaged).toBe(false);
    const { records } = await journal.read({ runId: 'run-names' });
    expectConsistentJournal(
      records,
      items.filter((it) => it !== poisoned).map((it) => it.objectId),
      'run-names',
    );
    expect(records.some((r) => r.opId === opIdFor('run-names', 'contact', poisoned.objectId))).toBe(false);
    for (const name of names) expect(records.some((r) => r.kind === 'intent' && r.displayName === name)).toBe(true);
  });

  it("sends no PATCH before the batch's intents are durable (deferred journal port)", async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 5);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const intentAsked = new Promise<void>((r) => (reached = r));
    const deferred: JournalPort = {
      readRun: (runId) => port.readRun(runId),
      append: async (records) => {
        if (records.some((r) => r.kind === 'intent')) {
          reached();
          await held;
        }
        await port.append(records);
      },
    };
    const run = runBulk({ runId: 'run-deferred', items, graph, journal: deferred, ...FAST });
    await intentAsked;
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1));
    expect(graph.writeLog).toHaveLength(0);
    release();
    const summary = await run;
    expect(summary.progress).toMatchObject({ verified: 5 });
    expect(graph.writeLog).toHaveLength(5);
  });

  it('runs group waves in order (children before parents)', async () => {
    const graph = new FakeGraph();
    const order: string[] = [];
    const spy: GraphBatchPort = {
      sendBatch: async (body) => {
        for (const r of body.requests) if (r.method === 'PATCH') order.push(r.url.split('/')[2]!);
        return graph.sendBatch(body);
      },
    };
    for (const id of ['child-1', 'child-2', 'mid', 'top']) graph.add({ id, kind: 'group' });
    const items: BulkItem[] = [
      { objectId: 'top', objectType: 'group', action: 'transfer', wave: 2 },
      { objectId: 'mid', objectType: 'group', action: 'transfer', wave: 1 },
      { objectId: 'child-1', objectType: 'group', action: 'transfer', wave: 0 },
      { objectId: 'child-2', objectType: 'group', action: 'transfer', wave: 0 },
    ];
    const summary = await runBulk({ runId: 'run-g', items, graph: spy, journal: port, ...FAST });
    expect(summary.progress.verified).toBe(4);
    expect(order.indexOf('top')).toBeGreaterThan(order.indexOf('mid'));
    expect(order.indexOf('mid')).toBeGreaterThan(Math.max(order.indexOf('child-1'), order.indexOf('child-2')));
  });
});

describe('re-verification of unfinished operations after a restart', () => {
  it('reads each pending SOA intent and records done or failed without writing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-rv-'));
    const journal = new Journal(dir, 'contoso');
    try {
      const graph = new FakeGraph();
      graph.add({ id: 'applied', isCloudManaged: true, onPremisesSyncEnabled: null });
      graph.add({ id: 'not-applied' });
      const intent = (id: string, action: 'transfer' | 'displayName') => ({
        kind: 'intent' as const,
        opId: `op-${id}`,
        objectType: 'contact' as const,
        objectId: id,
        action,
        request: { method: 'PATCH', url: `/contacts/${id}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
      });
      await journal.appendMany([
        intent('applied', 'transfer'),
        intent('not-applied', 'transfer'),
        intent('other', 'displayName'),
      ]);
      const out = await reverifyPending(await journal.pending(), { graph, journal: journalPortOf(journal) });
      expect(out.map((o) => [o.objectId, o.result])).toEqual([
        ['other', 'unsupported'],
        ['applied', 'done'],
        ['not-applied', 'failed'],
      ]);
      expect(graph.writeLog).toHaveLength(0);
      expect((await journal.pending()).map((p) => p.opId)).toEqual(['op-other']);
    } finally {
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

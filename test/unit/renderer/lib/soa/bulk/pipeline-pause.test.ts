import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeGraph } from './fake-graph';
import { Journal, journalPortOf } from '../../../../../../src-main/journal/journal';
import { runBulk, RunControl, type BulkItem } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import type { JournalPort } from '../../../../../../src-renderer/lib/soa/bulk/ports';

const FAST = {
  retry: { baseMs: 2, maxMs: 20, maxAttempts: 30, uncertainSettleMs: 5 },
  limits: { appWritesPerWindow: 1_000_000, tenantWritesPerWindow: 2_000_000, burst: 200 },
};

function contacts(graph: FakeGraph, n: number): BulkItem[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    graph.add({ id, displayName: `Contact ${i}` });
    return { objectId: id, objectType: 'contact' as const, displayName: `Contact ${i}`, action: 'transfer' as const };
  });
}

describe('bulk pipeline pause', () => {
  let dir: string;
  let journal: Journal;
  let port: JournalPort;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-pause-'));
    journal = new Journal(dir, 'contoso');
    port = journalPortOf(journal);
  });
  afterEach(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a batch whose intents became durable after the pause sends nothing until the resume', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 30);
    const control = new RunControl();
    // the first intent append is held; the run is paused meanwhile (as when another batch found that a new
    // sign-in is needed), then the append completes
    let release: () => void = () => undefined;
    let heldIntents = 0;
    let heldDurable = false;
    const holding: JournalPort = {
      readRun: (runId) => port.readRun(runId),
      append: async (records) => {
        const held = records[0]?.kind === 'intent' && heldIntents++ === 0;
        if (held) await new Promise<void>((r) => (release = r));
        await port.append(records);
        if (held) heldDurable = true;
      },
    };
    const run = runBulk({
      runId: 'run-pause',
      items,
      graph,
      journal: holding,
      ...FAST,
      concurrency: { initial: 1, max: 1 },
      control,
    });
    await vi.waitFor(() => expect(heldIntents).toBe(1), { timeout: 10_000, interval: 2 });
    control.pause();
    const batches = graph.batches;
    release();
    // the held intents are durable; the batch would be sent within the next turns of the event loop
    await vi.waitFor(() => expect(heldDurable).toBe(true), { timeout: 10_000, interval: 2 });
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    expect(graph.batches).toBe(batches);
    expect(graph.writeLog).toHaveLength(0);
    control.resume();
    const summary = await run;
    expect(summary.progress).toMatchObject({ total: 30, verified: 30, failed: 0, unverified: 0 });
    for (const it of items) expect(graph.writesFor(it.objectId), it.objectId).toBe(1);
  });
});

describe('bulk pipeline progress reports', () => {
  let dir: string;
  let journal: Journal;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-progress-'));
    journal = new Journal(dir, 'contoso');
  });
  afterEach(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with a minimum interval, reports far fewer times than batches, yet every change of state and the end', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 100);
    const control = new RunControl();
    const states: string[] = [];
    // the run is paused while its third batch is on its way (as a click on Pause would)
    graph.faults = {
      decide: (_req, batchNo) => {
        if (batchNo === 3) control.pause();
        return 'none';
      },
    };
    const run = runBulk({
      runId: 'run-progress',
      items,
      graph,
      journal: journalPortOf(journal),
      ...FAST,
      concurrency: { initial: 1, max: 1 },
      control,
      progressEveryMs: 3_600_000,
      onProgress: (p) => states.push(p.state),
    });
    // reported although the interval has not passed
    await vi.waitFor(() => expect(states).toContain('paused'), { timeout: 10_000, interval: 2 });
    control.resume();
    const summary = await run;
    expect(summary.progress).toMatchObject({ total: 100, verified: 100, state: 'finished' });
    expect(graph.batches).toBeGreaterThan(10);
    expect(states).toEqual(['running', 'paused', 'running', 'finished']);
  });
});

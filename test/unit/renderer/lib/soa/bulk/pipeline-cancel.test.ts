/**
 * How a bulk run ends when it is cancelled, each case with its failing case, on a virtual clock and an in-memory
 * journal: unsent work ends "cancelled before the write"; an intent being appended ahead, a throttled write and a
 * resumed uncertain object keep what a resume needs; a write in flight is still read back; a re-check answered after
 * the cancel writes nothing and journals no intent; the run says "cancelling" while it settles.
 */
import { describe, expect, it } from 'vitest';
import { runBulk, RunControl, opIdFor, type RunProgress } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import { JournalRefusedError, type JournalPort } from '../../../../../../src-renderer/lib/soa/bulk/ports';
import { intentRecord } from '../../../../../../src-renderer/lib/soa/bulk/stages/journal-writer';
import { restoreSlots } from '../../../../../../src-renderer/lib/soa/bulk/stages/plan-reader';
import { FakeGraph } from './fake-graph';
import { contacts, FAST, memoryJournal, RecordingGraph, virtualClock } from './pipeline-fixture';

const PENDING = 'Cancelled before the write (intent pending; a resume finishes it).';
const UNSENT = 'Cancelled before the write.';

/** How many times each object was reported final. */
function finishCounter(): { onItem: (r: { objectId: string }) => void; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return { counts, onItem: (r) => void counts.set(r.objectId, (counts.get(r.objectId) ?? 0) + 1) };
}

describe('bulk run: cancelled', () => {
  for (const refuse of [false, true]) {
    it(`while intents are appended ahead: the objects end "intent pending", once each, unwritten (${refuse ? 'then refused' : 'then durable'})`, async () => {
      const graph = new FakeGraph();
      const items = contacts(graph, 3);
      const control = new RunControl();
      const base = memoryJournal();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const journal: JournalPort = {
        readRun: (runId) => base.readRun(runId),
        append: async (records) => {
          if (records.some((r) => r.kind === 'intent')) {
            control.cancel();
            await held;
            if (refuse) throw new JournalRefusedError(records.map((r) => ({ opId: r.opId, message: 'refused' })));
          }
          await base.append(records);
        },
      };
      const finished = finishCounter();
      const summary = await runBulk({
        runId: 'run-cancel-ahead',
        items,
        graph,
        journal,
        clock: virtualClock(),
        ...FAST,
        control,
        onItem: (r) => {
          finished.onItem(r);
          // the cancel has ended every object: now the append settles
          if (finished.counts.size === items.length) release();
        },
      });
      expect(summary.cancelled).toBe(true);
      expect(summary.items.map((i) => [i.outcome, i.reason])).toEqual(items.map(() => ['cancelled', PENDING]));
      expect([...finished.counts.values()]).toEqual([1, 1, 1]);
      expect(summary.progress).toMatchObject({ failed: 0, writesSent: 0, state: 'cancelled' });
      expect(graph.writeLog).toHaveLength(0);
      if (refuse) return;
      // durable intents without results: a resume re-reads each object and finishes it
      expect(base.records.map((r) => r.kind)).toEqual(['intent', 'intent', 'intent']);
      const resumed = await runBulk({
        runId: 'run-cancel-ahead',
        items,
        graph,
        journal: base,
        clock: virtualClock(),
        ...FAST,
      });
      expect(resumed.progress).toMatchObject({ verified: 3, failed: 0 });
      for (const it of items) expect(graph.writesFor(it.objectId)).toBe(1);
    });
  }

  it('while a write waits out a throttle: it ends "intent pending", unsent again', async () => {
    const graph = new FakeGraph();
    graph.retryAfter = '30';
    const items = contacts(graph, 1);
    const control = new RunControl();
    let throttled = false;
    graph.faults = {
      decide: (req) => {
        if (req.method !== 'PATCH' || throttled) return 'none';
        throttled = true;
        control.cancel();
        return '429';
      },
    };
    const summary = await runBulk({
      runId: 'run-cancel-429',
      items,
      graph,
      journal: memoryJournal(),
      clock: virtualClock(),
      ...FAST,
      control,
    });
    expect(summary.items.map((i) => [i.outcome, i.reason])).toEqual([['cancelled', PENDING]]);
    expect(graph.writeLog).toHaveLength(0);
  });

  it('before it started: a resumed uncertain object is still read and settled, the others end unsent', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 3);
    const runId = 'run-cancel-resume';
    // the last run's write of the first object went through, and the run stopped before its result
    graph.objects.get(items[0]!.objectId)!.isCloudManaged = true;
    const journal = memoryJournal();
    const [first] = await restoreSlots(runId, items, []);
    await journal.append([intentRecord(runId, first!)]);
    const control = new RunControl();
    control.cancel();
    const summary = await runBulk({ runId, items, graph, journal, clock: virtualClock(), ...FAST, control });
    expect(summary.items.map((i) => [i.outcome, i.reason])).toEqual([
      ['verified', undefined],
      ['cancelled', UNSENT],
      ['cancelled', UNSENT],
    ]);
    expect(graph.writeLog).toHaveLength(0);
    expect(
      journal.records.filter((r) => r.opId === opIdFor(runId, 'contact', items[0]!.objectId)).map((r) => r.kind),
    ).toEqual(['intent', 'result']);
  });

  it('while writes are in flight: they are still read back (verified), the unsent rest ends cancelled, and the run says "cancelling"', async () => {
    const fake = new FakeGraph();
    const items = contacts(fake, 25);
    const control = new RunControl();
    let sleepsAfterCancel = 0;
    const clock = virtualClock(() => {
      // the loop has seen the cancel (one sleep) and settled what it could: now the writes are answered
      if (control.cancelled && ++sleepsAfterCancel === 2) graph.release();
    });
    const graph = new RecordingGraph(fake, clock);
    // the first batch of writes: the run is cancelled as it leaves, and its answer comes later
    graph.holdWhen = (body) => body.requests.some((r) => r.method === 'PATCH');
    graph.onBatch = (body) => {
      if (body.requests.some((r) => r.method === 'PATCH')) control.cancel();
    };
    const reports: RunProgress[] = [];
    const summary = await runBulk({
      runId: 'run-cancel-inflight',
      items,
      graph,
      journal: memoryJournal(),
      clock,
      ...FAST,
      control,
      concurrency: { initial: 1, max: 1 },
      onProgress: (p) => reports.push(p),
    });
    const written = new Set(fake.writeLog.map((w) => w.id));
    expect(written.size).toBeGreaterThan(0);
    expect(written.size).toBeLessThan(items.length);
    for (const i of summary.items) {
      if (written.has(i.objectId)) expect(i.outcome, i.objectId).toBe('verified');
      else
        expect([i.outcome, i.reason], i.objectId).toEqual([
          'cancelled',
          expect.stringMatching(/^Cancelled before the write/),
        ]);
    }
    expect(reports.map((p) => p.state)).toContain('cancelling');
    expect(summary.progress.state).toBe('cancelled');
  });

  it('a re-check answered after the cancel writes nothing and journals no intent', async () => {
    const fake = new FakeGraph();
    const items = contacts(fake, 3);
    const control = new RunControl();
    let sleepsAfterCancel = 0;
    const clock = virtualClock(() => {
      if (control.cancelled && ++sleepsAfterCancel === 2) graph.release();
    });
    const graph = new RecordingGraph(fake, clock);
    graph.holdWhen = () => true;
    graph.onBatch = () => control.cancel();
    const reports: RunProgress[] = [];
    const journal = memoryJournal();
    const summary = await runBulk({
      runId: 'run-cancel-check',
      items,
      graph,
      journal,
      clock,
      ...FAST,
      control,
      onProgress: (p) => reports.push(p),
    });
    expect(graph.sent.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    expect(summary.items.map((i) => [i.outcome, i.reason])).toEqual(items.map(() => ['cancelled', PENDING]));
    expect(journal.records).toEqual([]);
    expect([...new Set(reports.map((p) => p.state))]).toEqual(['running', 'cancelling', 'cancelled']);
  });
});

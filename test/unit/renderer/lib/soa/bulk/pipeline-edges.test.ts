/**
 * runBulk's own decisions, each with its failing case, on a virtual clock and an in-memory journal: the run id's
 * length, the summary's times and states, the reason a run paused itself (and none for a pause by the admin), a
 * run cancelled before it started (nothing sent, every object cancelled), and how often progress is reported
 * (after every batch up to 2,000 objects, at most every 250 ms above).
 */
import { describe, expect, it } from 'vitest';
import { runBulk, RunControl, type RunProgress } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import { FakeGraph } from './fake-graph';
import { contacts, FAST, memoryJournal, virtualClock } from './pipeline-fixture';

describe('bulk run: its own decisions', () => {
  it('takes a run id of 1 to 60 characters only', async () => {
    const graph = new FakeGraph();
    const base = { items: [], graph, journal: memoryJournal(), clock: virtualClock(), ...FAST };
    await expect(runBulk({ ...base, runId: '' })).rejects.toThrow('runId must be 1–60 characters');
    await expect(runBulk({ ...base, runId: 'r'.repeat(61) })).rejects.toThrow('runId must be 1–60 characters');
    await expect(runBulk({ ...base, runId: 'r'.repeat(60) })).resolves.toMatchObject({ cancelled: false });
  });

  it('sums up with the clock’s start and end, every object in plan order, and reports running then finished', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 3);
    const clock = virtualClock();
    const start = clock.now();
    const reports: RunProgress[] = [];
    const summary = await runBulk({
      runId: 'run-sum',
      items,
      graph,
      journal: memoryJournal(),
      clock,
      ...FAST,
      onProgress: (p) => reports.push(p),
    });
    expect(summary).toMatchObject({
      runId: 'run-sum',
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(clock.now()).toISOString(),
      cancelled: false,
    });
    expect(summary.items.map((i) => [i.objectId, i.outcome])).toEqual(items.map((i) => [i.objectId, 'verified']));
    expect(reports[0]).toMatchObject({ state: 'running', total: 3, done: 0 });
    expect(reports.at(-1)).toEqual(summary.progress);
    expect(summary.progress).toMatchObject({ state: 'finished', verified: 3, writesSent: 3 });
    expect(reports.some((p) => p.pausedFor !== undefined)).toBe(false);
  });

  it('a run that paused itself says why while paused; a pause by the admin carries no reason', async () => {
    for (const reason of [{ kind: 'signIn' as const, message: 'Sign in again to resume the run.' }, undefined]) {
      const graph = new FakeGraph();
      const control = new RunControl();
      control.pause(reason);
      const reports: RunProgress[] = [];
      const summary = await runBulk({
        runId: 'run-paused',
        items: contacts(graph, 2),
        graph,
        journal: memoryJournal(),
        clock: virtualClock(),
        ...FAST,
        control,
        onProgress: (p) => {
          reports.push(p);
          if (p.state === 'paused') setImmediate(() => control.resume());
        },
      });
      const paused = reports.filter((p) => p.state === 'paused');
      expect(paused.length).toBeGreaterThan(0);
      for (const p of paused) expect(p.pausedFor).toEqual(reason);
      expect(summary.progress.pausedFor).toBeUndefined();
      expect(summary.progress).toMatchObject({ state: 'finished', verified: 2 });
    }
  });

  it('a run that paused itself and is then cancelled no longer says it waits for a sign-in', async () => {
    const graph = new FakeGraph();
    const control = new RunControl();
    control.pause({ kind: 'signIn', message: 'Sign in again to resume the run.' });
    control.cancel();
    const reports: RunProgress[] = [];
    const summary = await runBulk({
      runId: 'run-paused-cancel',
      items: contacts(graph, 2),
      graph,
      journal: memoryJournal(),
      clock: virtualClock(),
      ...FAST,
      control,
      onProgress: (p) => reports.push(p),
    });
    // its first report (before the loop sees the cancel) and its last
    expect(reports.map((p) => [p.state, p.pausedFor])).toEqual([
      ['running', undefined],
      ['cancelled', undefined],
    ]);
    expect(summary.cancelled).toBe(true);
  });

  it('cancelled before it started: nothing is sent, every object is cancelled before its write', async () => {
    const graph = new FakeGraph();
    const control = new RunControl();
    control.cancel();
    const summary = await runBulk({
      runId: 'run-cancel',
      items: contacts(graph, 3),
      graph,
      journal: memoryJournal(),
      clock: virtualClock(),
      ...FAST,
      control,
    });
    expect(graph.batches).toBe(0);
    expect(summary.cancelled).toBe(true);
    expect(summary.progress.state).toBe('cancelled');
    expect(summary.items.map((i) => [i.outcome, i.reason])).toEqual(
      Array.from({ length: 3 }, () => ['cancelled', 'Cancelled before the write.']),
    );
  });

  it('reports progress after every batch up to 2,000 objects, and at most every 250 ms above', async () => {
    const reportsFor = async (n: number) => {
      const graph = new FakeGraph();
      const items = contacts(graph, n);
      let reports = 0;
      await runBulk({
        runId: `run-${n}`,
        items,
        graph,
        journal: memoryJournal(),
        clock: virtualClock(),
        ...FAST,
        concurrency: { initial: 8, max: 8 },
        onProgress: () => void reports++,
      });
      return { reports, batches: graph.batches };
    };
    const small = await reportsFor(2000);
    expect(small.reports).toBeGreaterThan(small.batches);
    // on the virtual clock the batches take no time: above 2,000 objects only the start, the end and each
    // 250 ms of the run's own waits are reported
    const large = await reportsFor(2001);
    expect(large.reports).toBeLessThan(large.batches / 4);
  });
});

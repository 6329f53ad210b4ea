/**
 * runBulk's decisions around a batch, each with its failing case, on a virtual clock and an in-memory journal: an
 * intent the journal refuses, the re-check age, the random source of the waits, a sign-in refusal in the count of
 * writes sent, a failure in the caller's callback, how a pause waits and how a resume wakes the run, and a progress
 * report held back by the report interval; a cancelled run does not pause for a sign-in.
 */
import { describe, expect, it } from 'vitest';
import type { JournalRecordInput } from '@contract';
import { TokenSourceError } from '../../../../../../src-renderer/lib/graph/graph-client';
import { runBulk, RunControl, opIdFor, type RunProgress } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import { throttleBackoffMs } from '../../../../../../src-renderer/lib/soa/bulk/pacer';
import { intentRecord } from '../../../../../../src-renderer/lib/soa/bulk/stages/journal-writer';
import { restoreSlots } from '../../../../../../src-renderer/lib/soa/bulk/stages/plan-reader';
import {
  JournalRefusedError,
  type BatchBody,
  type BatchHttpResponse,
  type JournalPort,
} from '../../../../../../src-renderer/lib/soa/bulk/ports';
import { FakeGraph } from './fake-graph';
import { contacts, FAST, memoryJournal, RecordingGraph, virtualClock } from './pipeline-fixture';

/** The memory journal, refusing the records `why` names a reason for (the others of the call are durable). */
function refusingJournal(
  base: ReturnType<typeof memoryJournal>,
  why: (r: JournalRecordInput) => string | undefined,
): JournalPort {
  return {
    readRun: (runId) => base.readRun(runId),
    append: async (records) => {
      const refused = records.flatMap((r) => {
        const message = why(r);
        return message === undefined ? [] : [{ opId: r.opId, message }];
      });
      await base.append(records.filter((r) => why(r) === undefined));
      if (refused.length > 0) throw new JournalRefusedError(refused);
    },
  };
}

/** Fail the first request of each object `fault` picks once (then answer normally). */
function faultOnce(graph: FakeGraph, fault: (method: string, id: string) => '429' | '503' | undefined): void {
  const done = new Set<string>();
  graph.faults = {
    decide: (req) => {
      const id = req.url.split('/')[2] ?? '';
      const f = fault(req.method, id);
      if (f === undefined || done.has(`${req.method} ${id}`)) return 'none';
      done.add(`${req.method} ${id}`);
      return f;
    },
  };
}

describe('bulk run: the decisions around a batch', () => {
  it('an intent the journal refuses fails only its own object, unwritten; the others are written once', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 5);
    const victim = items[2]!.objectId;
    const victimOp = opIdFor('run-refused', 'contact', victim);
    const base = memoryJournal();
    const journal = refusingJournal(base, (r) =>
      r.kind === 'intent' && r.opId === victimOp ? 'displayName looks like a credential (jwt)' : undefined,
    );
    const summary = await runBulk({ runId: 'run-refused', items, graph, journal, clock: virtualClock(), ...FAST });
    expect(summary.items.map((i) => [i.objectId, i.outcome, i.reason])).toEqual(
      items.map((it) =>
        it.objectId === victim
          ? [victim, 'failed', 'Not written: displayName looks like a credential (jwt)']
          : [it.objectId, 'verified', undefined],
      ),
    );
    expect(graph.writesFor(victim)).toBe(0);
    for (const it of items) if (it.objectId !== victim) expect(graph.writesFor(it.objectId)).toBe(1);
    expect(summary.progress).toMatchObject({ verified: 4, failed: 1, writesSent: 4, state: 'finished' });
    expect(base.records.some((r) => r.opId === victimOp)).toBe(false);
  });

  it('re-reads an object before its write when its re-check is older than staleCheckMs, and only then', async () => {
    const readsBeforeWrite = async (staleCheckMs: number) => {
      const fake = new FakeGraph();
      fake.retryAfter = '1';
      const items = contacts(fake, 1);
      const id = items[0]!.objectId;
      faultOnce(fake, (method) => (method === 'PATCH' ? '429' : undefined));
      const clock = virtualClock();
      const graph = new RecordingGraph(fake, clock);
      const summary = await runBulk({
        runId: 'run-stale',
        items,
        graph,
        journal: memoryJournal(),
        clock,
        ...FAST,
        staleCheckMs,
      });
      expect(summary.progress.verified).toBe(1);
      // the write was throttled for 1 s; the reads sent before its second send
      const sends = graph.sent.filter((r) => r.id === id).map((r) => r.method);
      expect(sends.filter((m) => m === 'PATCH')).toHaveLength(2);
      return sends.slice(0, sends.lastIndexOf('PATCH')).filter((m) => m === 'GET').length;
    };
    expect(await readsBeforeWrite(100)).toBe(2); // the check, and the re-check after the 1-s wait
    expect(await readsBeforeWrite(5_000)).toBe(1);
  });

  it('the waits use the random source it is given: a retry backoff and a throttle backoff', async () => {
    const fake = new FakeGraph();
    fake.retryAfter = ''; // a 429 without a readable Retry-After: the pacer's jittered backoff decides
    const [a, b] = contacts(fake, 2);
    faultOnce(fake, (method, id) =>
      method === 'GET' && id === a!.objectId ? '503' : method === 'PATCH' && id === b!.objectId ? '429' : undefined,
    );
    const clock = virtualClock();
    const graph = new RecordingGraph(fake, clock);
    const summary = await runBulk({
      runId: 'run-random',
      items: [a!, b!],
      graph,
      journal: memoryJournal(),
      clock,
      ...FAST,
      retry: { ...FAST.retry, baseMs: 1_000, maxMs: 1_000 },
      concurrency: { initial: 1, max: 1 },
      random: () => 0,
    });
    expect(summary.progress.verified).toBe(2);
    // the failed check waits baseMs × (0.5 + random / 2) = 500 ms
    const checks = graph.times('GET', a!.objectId);
    expect(checks[1]! - checks[0]!).toBe(500);
    // the throttled write waits the first throttle backoff with random 0
    const writes = graph.times('PATCH', b!.objectId);
    expect(writes[1]! - writes[0]!).toBe(throttleBackoffMs(1, () => 0));
  });

  for (const how of ['throw', 'inner401'] as const) {
    it(`counts the writes of a batch the token refused as sent only when they left the process (${how})`, async () => {
      const fake = new FakeGraph();
      const items = contacts(fake, 3);
      const control = new RunControl();
      let refusedOnce = false;
      const graph = {
        sendBatch: async (body: BatchBody): Promise<BatchHttpResponse> => {
          if (refusedOnce || !body.requests.some((r) => r.method === 'PATCH')) return fake.sendBatch(body);
          refusedOnce = true;
          if (how === 'throw') throw new TokenSourceError('interactionRequired', 'A new sign-in is needed.');
          return {
            status: 200,
            headers: {},
            body: {
              responses: body.requests.map((r) => ({
                id: r.id,
                status: 401,
                headers: {},
                body: { error: { code: 'InvalidAuthenticationToken', message: 'The token is expired.' } },
              })),
            },
          };
        },
      };
      const summary = await runBulk({
        runId: `run-signin-${how}`,
        items,
        graph,
        journal: memoryJournal(),
        clock: virtualClock(),
        ...FAST,
        control,
        onProgress: (p) => {
          if (p.state === 'paused') setImmediate(() => control.resume());
        },
      });
      expect(refusedOnce).toBe(true);
      expect(summary.progress).toMatchObject({ verified: 3, state: 'finished' });
      for (const it of items) expect(fake.writesFor(it.objectId)).toBe(1);
      // a refused token stops the batch before it leaves; Graph's 401s answer writes that were sent
      expect(summary.progress.writesSent).toBe(how === 'throw' ? 3 : 6);
    });
  }

  it('a cancelled run does not pause itself when the token is refused (it only settles what it must)', async () => {
    const fake = new FakeGraph();
    const items = contacts(fake, 2);
    const runId = 'run-cancel-signin';
    // a resumed uncertain object: read even while cancelling
    fake.objects.get(items[0]!.objectId)!.isCloudManaged = true;
    const journal = memoryJournal();
    const [first] = await restoreSlots(runId, items, []);
    await journal.append([intentRecord(runId, first!)]);
    const control = new RunControl();
    control.cancel();
    let refused = 0;
    const graph = {
      sendBatch: async (body: BatchBody): Promise<BatchHttpResponse> => {
        if (refused++ > 0) return fake.sendBatch(body);
        throw new TokenSourceError('interactionRequired', 'A new sign-in is needed.');
      },
    };
    const summary = await runBulk({ runId, items, graph, journal, clock: virtualClock(), ...FAST, control });
    expect(refused).toBe(2);
    expect(summary.items.map((i) => i.outcome)).toEqual(['verified', 'cancelled']);
    expect(control.paused).toBe(false);
    expect(control.pauseReason).toBeUndefined();
  });

  it('with every batch slot taken it waits for an answer in 1-s ticks (it does not poll the due objects)', async () => {
    const fake = new FakeGraph();
    const items = contacts(fake, 25);
    const whileHeld: number[] = [];
    const clock = virtualClock((ms) => {
      if (graph.holding === 0) return;
      whileHeld.push(ms);
      graph.release();
    });
    const graph = new RecordingGraph(fake, clock);
    let first = true;
    graph.holdWhen = () => {
      const hold = first;
      first = false;
      return hold;
    };
    const summary = await runBulk({
      runId: 'run-full',
      items,
      graph,
      journal: memoryJournal(),
      clock,
      ...FAST,
      concurrency: { initial: 1, max: 1 },
    });
    expect(summary.progress.verified).toBe(25);
    // the first batch (20 checks) is held while 5 more checks are due: one slot, taken, so the run waits
    expect(whileHeld).toEqual([1000]);
  });

  it('a failure in the caller’s per-object callback stops the run with that error', async () => {
    const graph = new FakeGraph();
    const items = contacts(graph, 3);
    const run = runBulk({
      runId: 'run-onitem',
      items,
      graph,
      journal: memoryJournal(),
      clock: virtualClock(),
      ...FAST,
      onItem: () => {
        throw new Error('the run view failed');
      },
    });
    await expect(run).rejects.toThrow('the run view failed');
  });

  it('while paused it waits in 1-s ticks without reporting again, and a resume wakes it at once', async () => {
    const fake = new FakeGraph();
    const items = contacts(fake, 2);
    const control = new RunControl();
    control.pause();
    const pausedSleeps: number[] = [];
    let resumedAt = -1;
    const clock = virtualClock((ms) => {
      if (!control.paused) return;
      pausedSleeps.push(ms);
      if (pausedSleeps.length === 4) {
        resumedAt = clock.now();
        control.resume();
      }
    });
    const graph = new RecordingGraph(fake, clock);
    const reports: RunProgress[] = [];
    const start = clock.now();
    const summary = await runBulk({
      runId: 'run-ticks',
      items,
      graph,
      journal: memoryJournal(),
      clock,
      ...FAST,
      control,
      onProgress: (p) => reports.push(p),
    });
    expect(summary.progress).toMatchObject({ verified: 2, state: 'finished' });
    // it does not poll while paused, and says "paused" once
    expect(pausedSleeps).toEqual([1000, 1000, 1000, 1000]);
    expect(reports.filter((p) => p.state === 'paused')).toHaveLength(1);
    // three ticks passed; the fourth was cut short by the resume, and the first batch left right then
    expect(resumedAt).toBe(start + 3000);
    expect(graph.sent[0]?.at).toBe(resumedAt);
  });

  it('a report held back by the report interval is sent once the interval has passed, while the run waits', async () => {
    const fake = new FakeGraph();
    fake.retryAfter = '5';
    const items = contacts(fake, 1);
    faultOnce(fake, (method) => (method === 'PATCH' ? '429' : undefined));
    const clock = virtualClock();
    const graph = new RecordingGraph(fake, clock);
    const reports: { at: number; p: RunProgress }[] = [];
    const summary = await runBulk({
      runId: 'run-held-report',
      items,
      graph,
      journal: memoryJournal(),
      clock,
      ...FAST,
      progressEveryMs: 100,
      onProgress: (p) => reports.push({ at: clock.now(), p }),
    });
    expect(summary.progress).toMatchObject({ verified: 1, throttled: 1 });
    const throttledAt = graph.times('PATCH', items[0]!.objectId)[0]!;
    // the throttle is answered at once (the report then is held back); the run then waits 5 s for Retry-After
    const first = reports.find((r) => r.p.throttled === 1);
    expect(first!.at).toBeGreaterThan(throttledAt);
    expect(first!.at).toBeLessThanOrEqual(throttledAt + 1000);
  });
});

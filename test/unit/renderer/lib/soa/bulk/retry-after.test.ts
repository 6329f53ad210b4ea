/**
 * The bulk pipeline obeys Graph's Retry-After: an in-memory Graph answers a write with 429 and a
 * non-zero Retry-After, and a virtual clock (time moves only when the pipeline sleeps) records when
 * each write was sent. A pipeline that ignored the header would send the write again after its own
 * short backoff; here the retry must come at least Retry-After later, and every other write waits too.
 */
import { describe, expect, it } from 'vitest';
import { runBulk } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import type { BatchBody, Clock } from '../../../../../../src-renderer/lib/soa/bulk/ports';
import { FakeGraph } from './fake-graph';
import { contacts, FAST, memoryJournal, virtualClock } from './pipeline-fixture';

/** Sends of PATCH onPremisesSyncBehavior, per object id, with the virtual time of each. */
function recordWrites(graph: FakeGraph, clock: Clock): Map<string, number[]> {
  const writes = new Map<string, number[]>();
  const send = graph.sendBatch.bind(graph);
  graph.sendBatch = async (body: BatchBody) => {
    for (const r of body.requests)
      if (r.method === 'PATCH') {
        const id = r.url.split('/')[2] ?? '';
        writes.set(id, [...(writes.get(id) ?? []), clock.now()]);
      }
    return send(body);
  };
  return writes;
}

describe('bulk pipeline obeys Retry-After (virtual clock, non-zero Retry-After)', () => {
  it('sends a throttled write again only after Retry-After, and holds the other writes until then', async () => {
    const graph = new FakeGraph();
    graph.retryAfter = '30';
    const items = contacts(graph, 3);
    const first = items[0]!.objectId;
    let throttled = false;
    graph.faults = {
      decide: (req) => {
        if (!throttled && req.method === 'PATCH' && req.url.includes(first)) {
          throttled = true;
          return '429';
        }
        return 'none';
      },
    };
    const clock = virtualClock();
    const writes = recordWrites(graph, clock);
    const summary = await runBulk({
      runId: 'run-ra',
      items,
      graph,
      journal: memoryJournal(),
      clock,
      ...FAST,
      concurrency: { initial: 1, max: 1 },
      random: () => 0.5,
    });
    expect(summary.progress).toMatchObject({ verified: 3, failed: 0 });
    expect(summary.progress.throttled).toBeGreaterThan(0);
    const sends = writes.get(first) ?? [];
    expect(sends.length).toBe(2);
    expect(sends[1]! - sends[0]!).toBeGreaterThanOrEqual(30_000);
    // the writes of the other objects that came after the 429 waited for it as well
    const after = [...writes.entries()]
      .filter(([id]) => id !== first)
      .flatMap(([, at]) => at)
      .filter((at) => at > sends[0]!);
    for (const at of after) expect(at - sends[0]!).toBeGreaterThanOrEqual(30_000);
    expect(Math.max(...clock.sleeps)).toBeGreaterThan(0);
  });

  it('with Retry-After 0 the retry does not wait 30 s (the wait comes from the header, not a constant)', async () => {
    const graph = new FakeGraph();
    graph.retryAfter = '0';
    const items = contacts(graph, 1);
    let throttled = false;
    graph.faults = {
      decide: (req) => {
        if (!throttled && req.method === 'PATCH') {
          throttled = true;
          return '429';
        }
        return 'none';
      },
    };
    const clock = virtualClock();
    const writes = recordWrites(graph, clock);
    const summary = await runBulk({ runId: 'run-ra0', items, graph, journal: memoryJournal(), clock, ...FAST });
    expect(summary.progress).toMatchObject({ verified: 1 });
    const sends = writes.get(items[0]!.objectId) ?? [];
    expect(sends.length).toBe(2);
    expect(sends[1]! - sends[0]!).toBeLessThan(30_000);
  });
});

/**
 * Loops over every object give the main thread back (a plan or run of 50,000 objects must not freeze the UI), and
 * the sliced versions give exactly what the one-piece versions gave. The clock is a recording fake: each read moves
 * it on, so "a slice ran long enough" happens after a known amount of work, never by real time.
 */
import { describe, expect, it } from 'vitest';
import { mapInSlices, TimeSlicer } from '../../../../../../src-renderer/lib/soa/bulk/time-slice';
import { fakeEnv } from './slice-clock';
import {
  buildPlan,
  PLAN_CHUNK,
  PLAN_PART_CHARS,
  planFileParts,
  planFileText,
  type Plan,
} from '../../../../../../src-renderer/lib/soa/bulk/plan';
import { REPORT_PART_MAX_CHARS } from '@contract';
import { restoreSlots } from '../../../../../../src-renderer/lib/soa/bulk/stages/plan-reader';
import { FakeGraph } from './fake-graph';
import type { GraphBatchPort } from '../../../../../../src-renderer/lib/soa/bulk/ports';

function samplePlan(n: number): Plan {
  return {
    version: 1,
    planId: 'p-1',
    kind: 'rollback',
    objectType: 'group',
    createdAt: '2026-12-02T04:00:00.000Z',
    scope: { kind: 'administrativeUnits', ids: ['au-1'] },
    entries: Array.from({ length: n }, (_, i) => ({
      objectId: `g-${i}`,
      objectType: 'group' as const,
      displayName: i % 3 === 0 ? null : `Group "${i}"\nsecond line`,
      mail: null,
      isCloudManaged: true,
      onPremisesSyncEnabled: false,
      state: 'transferred' as const,
      stateCertain: i % 2 === 0,
      action: i % 4 === 0 ? ('blockedCloudReferences' as const) : ('rollback' as const),
      reason: 'Transferred; SOA will return to AD DS after the next sync cycle.',
      cloudReferences:
        i % 4 === 0
          ? [{ id: 'x', displayName: null, kind: 'group' as const, why: 'member of a cloud-only group' }]
          : [],
      wave: i % 3,
      source: 'test',
      ...(i === 5 ? { override: { reason: 'checked by hand', at: '2026-12-02T04:01:00.000Z', opId: 'o-5' } } : {}),
    })),
    counts: {
      transfer: 0,
      rollback: n - Math.ceil(n / 4),
      skipAlreadyTransferred: 0,
      skipCloudNative: 0,
      skipNotTransferred: 0,
      blockedCloudReferences: Math.ceil(n / 4),
      blockedCloudMembers: 0,
      blockedNotInScope: 0,
      blockedUnreadable: 0,
      blockedCouldNotCheck: 0,
    },
  };
}

describe('time slices', () => {
  it('a slicer is due only after its slice ran out, and a new slice starts after each yield', async () => {
    const env = fakeEnv(1);
    const slicer = new TimeSlicer(env, 10);
    const due: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      if (slicer.due()) {
        due.push(i);
        await slicer.yieldNow();
      }
    }
    // the clock is read every 32 calls and moves 1 ms per read: due at every 10th read, i.e. every 320 calls
    expect(due).toEqual([320, 640, 960]);
    expect(env.yields).toBe(3);
    expect(slicer.yields).toBe(3);
  });

  it('a slicer whose work is quick never yields (the failing case of yielding on every item)', () => {
    const slicer = new TimeSlicer(fakeEnv(0), 10);
    for (let i = 0; i < 10_000; i++) expect(slicer.due()).toBe(false);
  });

  it('mapInSlices maps like map and yields along the way', async () => {
    const env = fakeEnv(5);
    const items = Array.from({ length: 5000 }, (_, i) => i);
    expect(await mapInSlices(items, (x, i) => x * 2 + i, new TimeSlicer(env, 20))).toEqual(items.map((x) => x * 3));
    expect(env.yields).toBeGreaterThan(10);
  });
});

describe('a large plan in slices', () => {
  it('the plan text is exactly JSON.stringify(plan, null, 2), made with yields', async () => {
    const plan = samplePlan(2000);
    const env = fakeEnv(5);
    expect(await planFileText(plan, new TimeSlicer(env, 20))).toBe(JSON.stringify(plan, null, 2));
    expect(env.yields).toBeGreaterThan(5);
    expect(await planFileText(samplePlan(0))).toBe(JSON.stringify(samplePlan(0), null, 2));
    expect(await planFileText(samplePlan(1))).toBe(JSON.stringify(samplePlan(1), null, 2));
  });

  it('the plan text comes in pieces of at most the part size whose concatenation is the text, never one string', async () => {
    const plan = samplePlan(2000);
    const text = JSON.stringify(plan, null, 2);
    const env = fakeEnv(5);
    const parts = await planFileParts(plan, new TimeSlicer(env, 20), 20_000);
    expect(parts.join('')).toBe(text);
    expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(text.length / 20_000));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(20_000);
    // every piece but the last is full up to less than one entry
    for (const p of parts.slice(0, -1)) expect(p.length).toBeGreaterThan(20_000 - 1_000);
    expect(env.yields).toBeGreaterThan(5);
    for (const n of [0, 1, 2]) {
      const small = samplePlan(n);
      expect(await planFileParts(small, new TimeSlicer(), 50)).toSatisfy(
        (ps: string[]) => ps.join('') === JSON.stringify(small, null, 2) && ps.every((x) => x.length > 0),
      );
    }
    // one piece per report.savePart
    expect(PLAN_PART_CHARS).toBeLessThanOrEqual(REPORT_PART_MAX_CHARS);
    expect(await planFileParts(plan)).toEqual([text]);
  });

  it('buildPlan gives the main thread back while it classifies thousands of objects', async () => {
    const graph = new FakeGraph();
    for (let i = 0; i < 3000; i++) graph.add({ id: `c-${i}` });
    const objects = [...graph.objects.keys()].map((id) => ({
      id,
      objectType: 'contact' as const,
      displayName: id,
      mail: null,
      source: 'test',
    }));
    const env = fakeEnv(5);
    const options = { kind: 'transfer' as const, objectType: 'contact' as const, objects, graph, planId: 'p' };
    const plan = await buildPlan({ ...options, scope: { kind: 'tenant' }, slicer: new TimeSlicer(env, 20) });
    expect(plan.counts.transfer).toBe(3000);
    expect(env.yields).toBeGreaterThan(10);
  });

  it('buildPlan reads one chunk of objects at a time: no read of the next chunk while one of this chunk is out', async () => {
    const graph = new FakeGraph();
    graph.latencyMs = 1;
    const n = PLAN_CHUNK * 2 + 100;
    for (let i = 0; i < n; i++) graph.add({ id: `c-${i}` });
    const chunkOf = (url: string): number => Math.floor(Number(/\/c-(\d+)/.exec(url)?.[1]) / PLAN_CHUNK);
    const out = new Map<number, number>();
    let overlaps = 0;
    const port: GraphBatchPort = {
      async sendBatch(body) {
        const chunks = new Set(body.requests.map((r) => chunkOf(r.url)));
        for (const c of chunks) for (const [k, count] of out) if (k !== c && count > 0) overlaps++;
        for (const c of chunks) out.set(c, (out.get(c) ?? 0) + 1);
        try {
          return await graph.sendBatch(body);
        } finally {
          for (const c of chunks) out.set(c, (out.get(c) ?? 0) - 1);
        }
      },
    };
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
      graph: port,
      scope: { kind: 'tenant' },
      planId: 'p',
    });
    expect(plan.entries.map((e) => e.objectId)).toEqual(objects.map((o) => o.id));
    expect(plan.counts.transfer).toBe(n);
    expect(overlaps).toBe(0);
  });

  it('restoring the slots of a large run yields and keeps plan order', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      objectId: `c-${i}`,
      objectType: 'contact' as const,
      action: 'transfer' as const,
    }));
    const env = fakeEnv(5);
    const slots = await restoreSlots('r', items, [], new TimeSlicer(env, 20));
    expect(slots.map((s) => s.item.objectId)).toEqual(items.map((i) => i.objectId));
    expect(env.yields).toBeGreaterThan(10);
  });
});

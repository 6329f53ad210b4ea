import { describe, expect, it } from 'vitest';
import {
  batchRequests,
  batchScopes,
  responseOf,
  sendMembers,
} from '../../../../../../../src-renderer/lib/soa/bulk/stages/sender';
import type { BatchBody, Clock, GraphBatchPort } from '../../../../../../../src-renderer/lib/soa/bulk/ports';
import type { Member } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { ID, slotOf } from './slot-fixture';

const clock: Clock = { now: () => 1_000_000, sleep: () => Promise.resolve() };
const members: Member[] = [
  { slot: slotOf(), kind: 'check' },
  { slot: slotOf({}, { objectId: 'g1', objectType: 'group', action: 'rollback' }), kind: 'write' },
];

function graphAnswering(
  answer: (body: BatchBody) => Promise<{ status: number; headers: Record<string, string>; body: unknown }>,
): GraphBatchPort & { sent: { body: BatchBody; scopes: readonly string[] }[] } {
  const sent: { body: BatchBody; scopes: readonly string[] }[] = [];
  return {
    sent,
    sendBatch: (body, o) => {
      sent.push({ body, scopes: o.scopes });
      return answer(body);
    },
  };
}

describe('sender', () => {
  it('a read is a GET and a write is a PATCH of the target value, ids 1..n in member order', () => {
    const reqs = batchRequests(members);
    expect(reqs.map((r) => [r.id, r.method])).toEqual([
      ['1', 'GET'],
      ['2', 'PATCH'],
    ]);
    expect(reqs[0]?.url).toContain(ID);
    expect(reqs[1]).toMatchObject({ body: { isCloudManaged: false }, headers: { 'Content-Type': 'application/json' } });
    expect(batchScopes(members).length).toBeGreaterThan(0);
  });

  it('hands back each member its own inner response by id, whatever order they come in', async () => {
    const graph = graphAnswering(() =>
      Promise.resolve({
        status: 200,
        headers: {},
        body: {
          responses: [
            { id: '2', status: 204 },
            { id: '1', status: 200, body: { isCloudManaged: false } },
          ],
        },
      }),
    );
    const out = await sendMembers(graph, members, clock);
    expect(responseOf(out, 0)?.status).toBe(200);
    expect(responseOf(out, 1)?.status).toBe(204);
    expect(graph.sent[0]?.body.requests).toHaveLength(2);
  });

  it('a failed batch is an outcome, never a rejection: outer status with Retry-After, network error, unreadable body', async () => {
    const throttled = await sendMembers(
      graphAnswering(() => Promise.resolve({ status: 429, headers: { 'Retry-After': '3' }, body: undefined })),
      members,
      clock,
    );
    expect(throttled).toEqual({ ok: false, reason: '$batch returned 429', status: 429, retryAfter: 3000 });
    const dropped = await sendMembers(
      graphAnswering(() => Promise.reject(new Error('socket hang up'))),
      members,
      clock,
    );
    expect(dropped).toEqual({ ok: false, reason: 'network error: socket hang up' });
    const garbled = await sendMembers(
      graphAnswering(() => Promise.resolve({ status: 200, headers: {}, body: { nope: 1 } })),
      members,
      clock,
    );
    expect(garbled).toMatchObject({ ok: false, reason: 'unparsable $batch response body' });
    expect(responseOf(garbled, 0)).toBeUndefined();
  });
});

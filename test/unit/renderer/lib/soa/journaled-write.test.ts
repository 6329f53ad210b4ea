import { describe, expect, it } from 'vitest';
import type { GraphResult } from '../../../../../src-renderer/lib/graph/graph-result';
import { journaledWrite, type WriteSpec } from '../../../../../src-renderer/lib/soa/journaled-write';
import type { Ipc } from '../../../../../src-renderer/lib/soa/ports';
import { fakeGraph, fakeIpc, forbidden, networkError, ports, recordingClock, throttled } from './fakes';

/** An IPC whose `journal.append` of an intent stays unanswered until the test settles it. */
function deferredJournalIpc(events: string[]): { ipc: Ipc; settle: (ok: boolean) => void; asked: Promise<void> } {
  let settle!: (ok: boolean) => void;
  let asked!: () => void;
  const askedP = new Promise<void>((r) => (asked = r));
  const answer = new Promise<boolean>((r) => (settle = r));
  let seq = 0;
  const invoke = async (name: string, input: unknown): Promise<unknown> => {
    if (name !== 'journal.append') throw new Error(`unexpected ipc ${name}`);
    const kind = (input as { record: { kind: string } }).record.kind;
    events.push(`journal-asked:${kind}`);
    if (kind === 'intent') {
      asked();
      if (!(await answer)) throw new Error('EIO: the journal could not fsync');
    }
    events.push(`journal-durable:${kind}`);
    return { seq: ++seq, at: new Date(0).toISOString() };
  };
  const ipc = {
    invoke,
    call: async () => ({ ok: true, value: null }),
    onProgress: () => () => undefined,
  } as unknown as Ipc;
  return { ipc, settle, asked: askedP };
}

async function ticks(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
}

type State = { isCloudManaged: boolean };

function spec(
  events: string[],
  sends: (GraphResult<unknown> | (() => GraphResult<unknown>))[],
  reads: (GraphResult<State> | (() => GraphResult<State>))[],
): WriteSpec<State> {
  let s = 0;
  let r = 0;
  return {
    action: 'transfer',
    objectId: 'c1',
    displayName: 'Alex',
    request: {
      method: 'PATCH',
      url: 'https://graph.test/v1.0/contacts/c1/onPremisesSyncBehavior',
      body: { isCloudManaged: true },
    },
    send: async () => {
      events.push('send');
      const x = sends[Math.min(s++, sends.length - 1)];
      if (!x) throw new Error('no send');
      return typeof x === 'function' ? x() : x;
    },
    readBack: async () => {
      events.push('read');
      const x = reads[Math.min(r++, reads.length - 1)];
      if (!x) throw new Error('no read');
      return typeof x === 'function' ? x() : x;
    },
    isApplied: (v) => v.isCloudManaged,
  };
}

const okWrite: GraphResult<unknown> = { ok: true, value: null, status: 204, requestId: 'w1' };
const readTrue: GraphResult<State> = { ok: true, value: { isCloudManaged: true }, status: 200, requestId: 'r1' };
const readFalse: GraphResult<State> = { ok: true, value: { isCloudManaged: false }, status: 200, requestId: 'r0' };
const graph = fakeGraph(() => ({ status: 200 }));

describe('journaledWrite', () => {
  it('does not send the PATCH before the intent write has resolved (deferred journal)', async () => {
    const events: string[] = [];
    const d = deferredJournalIpc(events);
    const run = journaledWrite(ports(d.ipc, graph), spec(events, [okWrite], [readTrue]));
    await d.asked;
    await ticks();
    expect(events).toEqual(['journal-asked:intent']); // no 'send' while the intent is not durable
    d.settle(true);
    const out = await run;
    expect(events).toEqual([
      'journal-asked:intent',
      'journal-durable:intent',
      'send',
      'read',
      'journal-asked:result',
      'journal-durable:result',
    ]);
    expect(out).toMatchObject({ outcome: 'done', verified: true });
  });

  it('sends nothing when the intent write fails', async () => {
    const events: string[] = [];
    const d = deferredJournalIpc(events);
    const run = journaledWrite(ports(d.ipc, graph), spec(events, [okWrite], [readTrue]));
    await d.asked;
    d.settle(false);
    await expect(run).rejects.toThrow(/EIO/);
    await ticks();
    expect(events).toEqual(['journal-asked:intent']);
  });

  it('journals the intent before sending and a verified result after reading back', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(ports(f.ipc, graph), spec(f.events, [okWrite], [readTrue]));
    expect(f.events).toEqual(['journal:intent', 'send', 'read', 'journal:result']);
    expect(out).toMatchObject({ outcome: 'done', verified: true, sends: 1, requestId: 'w1' });
    expect(f.journal[1]).toMatchObject({
      kind: 'result',
      opId: out.opId,
      outcome: 'done',
      verified: true,
      requestId: 'w1',
    });
  });

  it('lost response: reads back, finds it applied, and does not send again', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: networkError, requestId: null }], [readTrue]),
    );
    expect(f.events.filter((e) => e === 'send')).toHaveLength(1);
    expect(out).toMatchObject({ outcome: 'done', verified: true, sends: 1 });
    expect(f.journal[1]).toMatchObject({ kind: 'result', outcome: 'done', verified: true });
    expect((f.journal[1] as { reason?: string }).reason).toMatch(/not received/);
  });

  it('lost response and not applied: sends again (safe), then verifies', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: networkError, requestId: null }, okWrite], [readFalse, readFalse, readTrue]),
    );
    expect(out).toMatchObject({ outcome: 'done', verified: true, sends: 2 });
  });

  it('throttled: waits, reads back before any retry, and does not double-write when applied', async () => {
    const f = fakeIpc();
    const clock = recordingClock(f.events);
    const out = await journaledWrite(
      ports(f.ipc, graph, clock),
      spec(f.events, [{ ok: false, error: throttled, requestId: 't1' }], [readTrue]),
    );
    // the Retry-After (2 s) is slept BEFORE the read-back; readBackDelayMs is 0 in these ports
    expect(f.events).toEqual(['journal:intent', 'send', 'sleep:2000', 'read', 'journal:result']);
    expect(clock.sleeps).toEqual([2000]);
    expect(out.log.join(' ')).toMatch(/Throttled \(429\).*2 s/);
    expect(out.sends).toBe(1);
  });

  it('refused (403): one failed result with the fix, no read-back, no retry', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: forbidden, requestId: 'x' }], [readTrue]),
    );
    expect(f.events).toEqual(['journal:intent', 'send', 'journal:result']);
    expect(out).toMatchObject({ outcome: 'failed', sends: 1 });
    expect((f.journal[1] as { reason?: string }).reason).toMatch(/assign the role/);
  });

  it('unknown outcome (no answer, no read): writes no result, so the intent stays pending', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(
        f.events,
        [{ ok: false, error: networkError, requestId: null }],
        [{ ok: false, error: networkError, requestId: null }],
      ),
    );
    expect(out.outcome).toBe('unknown');
    expect(f.journal.map((r) => r.kind)).toEqual(['intent']);
  });

  it('gives up after maxWriteAttempts with a failed result', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: throttled, requestId: null }], [readFalse]),
    );
    expect(out).toMatchObject({ outcome: 'failed', sends: 3 });
    expect(f.journal.map((r) => r.kind)).toEqual(['intent', 'result']);
  });
});

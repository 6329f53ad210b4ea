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

describe('journaledWrite: the cases that must not count as verified', () => {
  const serverError = {
    kind: 'server' as const,
    status: 503,
    code: 'ServiceUnavailable',
    message: 'try later',
  };
  const tuned = (f: ReturnType<typeof fakeIpc>, clock = recordingClock(f.events)) => {
    const p = ports(f.ipc, graph, clock);
    return { p: { ...p, tuning: { ...p.tuning, readBackAttempts: 3, readBackDelayMs: 500 } }, clock };
  };

  it('accepted but the read-back never shows it: done, NOT verified, read a delay apart', async () => {
    const f = fakeIpc();
    const { p, clock } = tuned(f);
    const out = await journaledWrite(p, spec(f.events, [okWrite], [readFalse]));
    expect(out).toMatchObject({ outcome: 'done', verified: false, sends: 1, status: 204, requestId: 'w1' });
    expect(out.after).toEqual({ isCloudManaged: false });
    expect(clock.sleeps).toEqual([500, 500]);
    expect(f.events.filter((e) => e === 'read')).toHaveLength(3);
    expect(f.journal[1]).toMatchObject({ kind: 'result', outcome: 'done', verified: false, status: 204 });
    expect((f.journal[1] as { reason?: string }).reason).toBe(
      'Accepted by Graph, but the read-back does not show it yet.',
    );
  });

  it('accepted but the read-back is refused: stops reading at once, done and NOT verified', async () => {
    const f = fakeIpc();
    const { p, clock } = tuned(f);
    const out = await journaledWrite(
      p,
      spec(f.events, [okWrite], [{ ok: false, error: forbidden, requestId: 'r403' }]),
    );
    expect(out).toMatchObject({ outcome: 'done', verified: false });
    expect(out.after).toBeUndefined();
    expect(f.events.filter((e) => e === 'read')).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect((f.journal[1] as { reason?: string }).reason).toMatch(
      /the read-back failed \(403 Authorization_RequestDenied/,
    );
  });

  it('a transient read-back failure (network, 5xx, 429) is read again', async () => {
    for (const error of [networkError, serverError, throttled]) {
      const f = fakeIpc();
      const { p } = tuned(f);
      const out = await journaledWrite(p, spec(f.events, [okWrite], [{ ok: false, error, requestId: null }, readTrue]));
      expect(out, error.kind).toMatchObject({ outcome: 'done', verified: true });
      expect(f.events.filter((e) => e === 'read')).toHaveLength(2);
    }
  });

  it('a 5xx is read back before any retry, and sent again only when not applied', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: serverError, requestId: 's1' }, okWrite], [readFalse, readFalse, readTrue]),
    );
    expect(out).toMatchObject({ outcome: 'done', verified: true, sends: 2 });
    expect(out.log.join(' ')).toMatch(/Server error 503 ServiceUnavailable/);
  });

  it('a cancelled write sends nothing after the intent', async () => {
    const f = fakeIpc();
    const ac = new AbortController();
    ac.abort();
    await expect(
      journaledWrite(ports(f.ipc, graph), spec(f.events, [okWrite], [readTrue]), { signal: ac.signal }),
    ).rejects.toThrow();
    expect(f.events).toEqual(['journal:intent']);
  });

  it('the intent carries the run, name and before-state only when given', async () => {
    const f = fakeIpc();
    const s = spec(f.events, [okWrite], [readTrue]);
    await journaledWrite(ports(f.ipc, graph), { ...s, runId: 'run-1', before: { isCloudManaged: false } });
    expect(f.journal[0]).toMatchObject({
      kind: 'intent',
      runId: 'run-1',
      objectType: 'contact',
      objectId: 'c1',
      displayName: 'Alex',
      action: 'transfer',
      before: { isCloudManaged: false },
      request: { method: 'PATCH', body: { isCloudManaged: true } },
    });
    const g = fakeIpc();
    const bare = spec(g.events, [okWrite], [readTrue]);
    delete (bare as { displayName?: string }).displayName;
    await journaledWrite(ports(g.ipc, graph), bare);
    expect(Object.keys(g.journal[0]!).sort()).toEqual(
      ['action', 'at', 'kind', 'objectId', 'objectType', 'opId', 'request', 'seq', 'tenant'].sort(),
    );
  });

  it('a refused write journals its status, request id and the fix', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: forbidden, requestId: 'x403' }], [readTrue]),
    );
    expect(out).toMatchObject({ outcome: 'failed', verified: true, status: 403, requestId: 'x403' });
    expect(f.journal[1]).toMatchObject({ outcome: 'failed', verified: true, status: 403, requestId: 'x403' });
    expect((f.journal[1] as { reason?: string }).reason).toBe(
      '403 Authorization_RequestDenied: Insufficient privileges to complete the operation. Fix: assign the role',
    );
  });

  it('giving up names the attempts and the last error in the result', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: networkError, requestId: 'n1' }], [readFalse]),
    );
    expect(out).toMatchObject({ outcome: 'failed', verified: true, sends: 3, requestId: 'n1' });
    expect(out.error).toEqual(networkError);
    expect((f.journal[1] as { reason?: string }).reason).toBe(
      'Not applied after 3 attempts (last: no response (socket hang up)).',
    );
  });
});

/** The account of each path word for word (it is shown and put in the evidence), and what each result record claims. */
describe('journaledWrite: what it says and journals on each path', () => {
  const intentLine = (opId: string) => `Journaled the intent (${opId}) before sending.`;
  const unreadable: GraphResult<State> = { ok: false, error: networkError, requestId: null };

  it('applied at once: the answer without a request id, then the read-back', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: true, value: null, status: 204, requestId: null }], [readTrue]),
    );
    expect(out.log).toEqual([intentLine(out.opId), 'PATCH answered 204.', 'Read back: the change is in place.']);
    expect(out.attempts).toEqual([]);
  });

  it('accepted but not shown yet: the result keeps the write request id', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(ports(f.ipc, graph), spec(f.events, [okWrite], [readFalse]));
    expect(out.log).toEqual([
      intentLine(out.opId),
      'PATCH answered 204 (request-id w1).',
      'Accepted, but the read-back does not show it yet.',
    ]);
    expect(f.journal[1]).toMatchObject({ requestId: 'w1', verified: false });
  });

  it('a lost response that the read-back shows applied: done and verified on the read, not sent again', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: networkError, requestId: 'n1' }], [readTrue]),
    );
    expect(out).toMatchObject({ outcome: 'done', verified: true, requestId: 'r1', sends: 1 });
    expect(out.log).toEqual([
      intentLine(out.opId),
      'No response (socket hang up). The request may or may not have been applied: reading the state back instead of sending again.',
      'Read back: the change IS in place. Not sending it again.',
    ]);
    expect(f.journal[1]).toMatchObject({
      kind: 'result',
      outcome: 'done',
      verified: true,
      requestId: 'r1',
      reason: "The write's response was not received (no response (socket hang up)); the read-back shows it applied.",
    });
  });

  it('no answer and no read: unknown and NOT verified, the intent left pending', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: networkError, requestId: 'n1' }], [unreadable]),
    );
    expect(out).toMatchObject({ outcome: 'unknown', verified: false, requestId: 'n1' });
    expect(out.log.at(-1)).toBe(
      'The state cannot be read either. The operation stays pending in the journal: re-verify it from the Journal view.',
    );
    expect(f.journal.map((r) => r.kind)).toEqual(['intent']);
  });

  it('a 429 waits its Retry-After on the clock before reading; not applied means sending again, counted', async () => {
    const f = fakeIpc();
    const clock = recordingClock(f.events);
    const out = await journaledWrite(
      ports(f.ipc, graph, clock),
      spec(f.events, [{ ok: false, error: throttled, requestId: 't1' }, okWrite], [readFalse, readFalse, readTrue]),
    );
    expect(clock.sleeps).toEqual([2_000, 0]); // Retry-After, then the read-back delay (0 here) between two reads
    expect(out.log.slice(1, 3)).toEqual([
      "Throttled (429) after the client's own retries; waiting 2 s (Retry-After) before reading the state.",
      'Read back: not applied. Sending again (attempt 2 of 3).',
    ]);
    expect(out).toMatchObject({ outcome: 'done', verified: true, sends: 2 });
  });

  it('giving up: a failed, verified result with the last request id', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(f.events, [{ ok: false, error: networkError, requestId: 'n1' }], [readFalse]),
    );
    expect(out.log.at(-1)).toBe('Gave up after the maximum number of attempts; the change is not in place.');
    expect(f.journal[1]).toMatchObject({ kind: 'result', outcome: 'failed', verified: true, requestId: 'n1' });
  });

  it('with no attempt allowed nothing is sent, and the result says so without a last error', async () => {
    const f = fakeIpc();
    const p = ports(f.ipc, graph);
    const out = await journaledWrite(
      { ...p, tuning: { ...p.tuning, maxWriteAttempts: 0 } },
      spec(f.events, [okWrite], [readTrue]),
    );
    expect(out).toMatchObject({ outcome: 'failed', sends: 0 });
    expect(out.error).toBeUndefined();
    expect(f.events).not.toContain('send');
    expect((f.journal[1] as { reason?: string }).reason).toBe('Not applied after 0 attempts.');
  });

  it('a refusal without a fix names kind and message; a long one is cut to 2,000 characters', async () => {
    const f = fakeIpc();
    const out = await journaledWrite(
      ports(f.ipc, graph),
      spec(
        f.events,
        [{ ok: false, error: { kind: 'badRequest', status: 400, code: '', message: 'bad body' }, requestId: 'b1' }],
        [readTrue],
      ),
    );
    expect(out.log.at(-1)).toBe('Refused: 400 badRequest: bad body.');
    expect((f.journal[1] as { reason?: string }).reason).toBe('400 badRequest: bad body');
    const g = fakeIpc();
    await journaledWrite(
      ports(g.ipc, graph),
      spec(
        g.events,
        [
          {
            ok: false,
            error: { kind: 'badRequest', status: 400, code: 'x', message: 'y'.repeat(3000) },
            requestId: null,
          },
        ],
        [readTrue],
      ),
    );
    expect((g.journal[1] as { reason?: string }).reason).toHaveLength(2000);
  });

  it('journals the account that sends the write, and reports only the attempts made since it began', async () => {
    const f = fakeIpc();
    const marks: number[] = [];
    const attempt = { seq: 8, at: 'now', method: 'PATCH', url: 'u', status: 204, requestId: 'w1', retryAfter: null };
    const p = {
      ...ports(f.ipc, graph),
      attempts: {
        mark: () => 7,
        since: (m: number) => {
          marks.push(m);
          return [attempt];
        },
      },
    };
    const out = await journaledWrite(p, { ...spec(f.events, [okWrite], [readTrue]), actor: 'proof@contoso.test' });
    expect(f.journal[0]).toMatchObject({ kind: 'intent', actor: 'proof@contoso.test' });
    expect(marks).toEqual([7]);
    expect(out.attempts).toEqual([attempt]);
  });
});

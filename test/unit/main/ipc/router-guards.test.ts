/**
 * The router's answers, word for word, for each way a call can go: unknown sender (logged), unknown or
 * overlong operation name, invalid input (path of a nested field), no handler, a second call with a running
 * operation id, cancellation seen by a handler that throws its own error, invalid progress and results (logged),
 * and errors without detail carrying no detail key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Router, type SenderInfo } from '../../../../src-main/ipc/router';
import { OperationError } from '../../../../src-main/ipc/errors';
import { setLogSink } from '../../../../src-main/log';
import type { ProgressEvent } from '../../../../src-main/ipc/contract';

const bridge: SenderInfo = { kind: 'bridge', remoteAddress: '127.0.0.1' };
const stranger: SenderInfo = { kind: 'electron', url: 'https://evil.example/' };
const lines: string[] = [];
const capture = () => setLogSink((l) => lines.push(l), 'debug');
afterEach(() => {
  lines.length = 0;
  setLogSink(() => {}, 'info');
});
const router = () => new Router({ validateSender: (s) => s.kind === 'bridge' });
const noSink = () => {};

describe('Router answers', () => {
  it('says which operations it has: app.cancel always, others once registered', () => {
    const r = router();
    expect(r.has('app.cancel')).toBe(true);
    expect(r.has('app.ping')).toBe(false);
    r.register({ 'app.ping': ({ message }) => ({ echo: message, at: new Date().toISOString() }) });
    expect(r.has('app.ping')).toBe(true);
    expect(r.has('app.info')).toBe(false);
  });

  it('logs a refused sender with the operation and the sender kind', async () => {
    capture();
    const res = await router().dispatch('app.ping', { message: 'x' }, stranger, noSink);
    expect(res).toStrictEqual({
      ok: false,
      error: { code: 'forbiddenSender', message: 'This caller is not allowed to use soa-pilot operations.' },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      / WARN \[router\] rejected call from an unknown sender \{"name":"app.ping","sender":"electron"\}$/,
    );
  });

  it('names an unknown operation (cut to 80 characters) and carries no detail', async () => {
    const res = await router().dispatch('no.such', {}, bridge, noSink);
    expect(res).toStrictEqual({ ok: false, error: { code: 'validation', message: 'Unknown operation "no.such".' } });
    const long = `x.${'y'.repeat(100)}`;
    const cut = await router().dispatch(long, {}, bridge, noSink);
    expect(cut).toStrictEqual({
      ok: false,
      error: { code: 'validation', message: `Unknown operation "${long.slice(0, 80)}".` },
    });
  });

  it('names the operation, the first issue and the dotted path of a nested field', async () => {
    const res = await router().dispatch('run.close', { runId: 'r', status: 'finished' }, bridge, noSink);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.message).toMatch(/^Invalid input for run\.close: .+\.$/);
    expect(res.error.detail).toEqual([{ path: 'runId', message: expect.any(String) }]);
    const nested = await router().dispatch(
      'journal.append',
      { record: { kind: 'result', opId: 'o', outcome: 'maybe', verified: true } },
      bridge,
      noSink,
    );
    expect(nested.ok ? [] : nested.error.detail).toEqual([{ path: 'record.outcome', message: expect.any(String) }]);
  });

  it('says an operation without a handler is not available in this build', async () => {
    expect(await router().dispatch('app.info', {}, bridge, noSink)).toStrictEqual({
      ok: false,
      error: { code: 'unavailable', message: 'app.info is not available in this build.' },
    });
  });

  it('refuses a second call with an operation id that is still running, and frees the id afterwards', async () => {
    let release: () => void = () => {};
    const r = router().register({
      'server.waitForSyncCycle': async (input) => {
        await new Promise<void>((res) => (release = res));
        return { t0: input.t0, finishedAt: input.t0, runs: [], allSucceeded: true };
      },
    });
    const operationId = randomUUID();
    const input = { operationId, t0: '2026-12-01T10:00:00Z' };
    const first = r.dispatch('server.waitForSyncCycle', input, bridge, noSink);
    await new Promise((res) => setTimeout(res, 0));
    expect(await r.dispatch('server.waitForSyncCycle', input, bridge, noSink)).toStrictEqual({
      ok: false,
      error: { code: 'conflict', message: `Operation ${operationId} is already running.` },
    });
    release();
    expect((await first).ok).toBe(true);
    const again = r.dispatch('server.waitForSyncCycle', input, bridge, noSink);
    await new Promise((res) => setTimeout(res, 0));
    release();
    expect((await again).ok).toBe(true);
  });

  it('answers cancelled when a cancelled handler throws an error of its own', async () => {
    let reason: unknown;
    const r = router().register({
      'server.waitForSyncCycle': async (_input, ctx) => {
        await new Promise<void>((res) => ctx.signal.addEventListener('abort', () => res()));
        reason = ctx.signal.reason;
        throw new Error('The operation was aborted.');
      },
    });
    const operationId = randomUUID();
    const call = r.dispatch('server.waitForSyncCycle', { operationId, t0: '2026-12-01T10:00:00Z' }, bridge, noSink);
    await new Promise((res) => setTimeout(res, 0));
    expect(r.cancel(operationId)).toBe(true);
    expect(await call).toStrictEqual({ ok: false, error: { code: 'cancelled', message: 'Cancelled by the user.' } });
    // the abort reason handed to the handler names the cancellation itself
    expect(reason).toBeInstanceOf(OperationError);
    expect(reason).toMatchObject({ code: 'cancelled', message: 'Cancelled by the user.' });
  });

  it('logs a failing handler with its error, and answers internal with the message', async () => {
    capture();
    const r = router().register({
      'app.ping': () => {
        throw new RangeError('out of range');
      },
      'auth.signOut': () => {
        throw 'plain';
      },
    });
    expect(await r.dispatch('app.ping', { message: 'x' }, bridge, noSink)).toStrictEqual({
      ok: false,
      error: { code: 'internal', message: 'app.ping failed unexpectedly: out of range' },
    });
    expect(lines.join('\n')).toMatch(
      /ERROR \[router\] handler failed \{"name":"app.ping","error":"RangeError: out of range"\}/,
    );
    expect(await r.dispatch('auth.signOut', {}, bridge, noSink)).toStrictEqual({
      ok: false,
      error: { code: 'internal', message: 'auth.signOut failed unexpectedly: plain' },
    });
    expect(lines.join('\n')).toMatch(/handler failed \{"name":"auth.signOut","error":"plain"\}/);
  });

  it('passes an OperationError through with its detail', async () => {
    const r = router().register({
      'app.ping': () => {
        throw new OperationError('refused', 'No.', { why: 'test' });
      },
    });
    expect(await r.dispatch('app.ping', { message: 'x' }, bridge, noSink)).toStrictEqual({
      ok: false,
      error: { code: 'refused', message: 'No.', detail: { why: 'test' } },
    });
    expect(new OperationError('busy', 'm').name).toBe('OperationError');
  });

  it('logs an invalid progress event and an invalid result, naming the operation', async () => {
    capture();
    const events: ProgressEvent[] = [];
    const r = router().register({
      'server.waitForSyncCycle': (input, ctx) => {
        ctx.emit({ phase: 'nonsense' } as never);
        return { t0: input.t0 } as never;
      },
      'app.ping': (_input, ctx) => {
        // a non-streaming operation's emit is ignored, not a crash
        (ctx.emit as (d: unknown) => void)({ anything: 1 });
        return { echo: 'e', at: '2026-12-01T10:00:00Z' };
      },
    });
    const res = await r.dispatch(
      'server.waitForSyncCycle',
      { operationId: randomUUID(), t0: '2026-12-01T10:00:00Z' },
      bridge,
      (e) => events.push(e),
    );
    expect(events).toEqual([]);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('internal');
      expect(res.error.message).toBe('server.waitForSyncCycle produced a result that does not match the contract.');
      expect(res.error.detail).toEqual(expect.arrayContaining([{ path: 'finishedAt', message: expect.any(String) }]));
    }
    const log = lines.join('\n');
    expect(log).toMatch(
      /ERROR \[router\] handler emitted an invalid progress event \{"name":"server.waitForSyncCycle","issues":\[\{"path":"phase"/,
    );
    expect(log).toMatch(
      /ERROR \[router\] handler returned an invalid result \{"name":"server.waitForSyncCycle","issues":\[/,
    );
    expect(await r.dispatch('app.ping', { message: 'x' }, bridge, (e) => events.push(e))).toStrictEqual({
      ok: true,
      value: { echo: 'e', at: '2026-12-01T10:00:00Z' },
    });
    expect(events).toEqual([]);
  });
});

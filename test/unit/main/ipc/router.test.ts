import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Router, type SenderInfo } from '../../../../src-main/ipc/router';
import { OperationError } from '../../../../src-main/ipc/errors';
import type { ProgressEvent } from '../../../../src-main/ipc/contract';

const bridge: SenderInfo = { kind: 'bridge', remoteAddress: '127.0.0.1' };
const stranger: SenderInfo = { kind: 'electron', url: 'https://evil.example/' };

function router() {
  return new Router({ validateSender: (s) => s.kind === 'bridge' });
}

describe('Router', () => {
  it('answers a valid call with { ok: true, value }', async () => {
    const r = router().register({ 'app.ping': ({ message }) => ({ echo: message, at: new Date().toISOString() }) });
    const res = await r.dispatch('app.ping', { message: 'hi' }, bridge, () => {});
    expect(res.ok).toBe(true);
    if (res.ok) expect(res.value).toMatchObject({ echo: 'hi' });
  });

  it('rejects a sender that is not ours before doing anything', async () => {
    let called = false;
    const r = router().register({ 'app.ping': () => ((called = true), { echo: '', at: new Date().toISOString() }) });
    const res = await r.dispatch('app.ping', { message: 'x' }, stranger, () => {});
    expect(res).toEqual({ ok: false, error: { code: 'forbiddenSender', message: expect.any(String) } });
    expect(called).toBe(false);
  });

  it('returns a structured validation error for malformed input, naming the path', async () => {
    const r = router().register({ 'app.ping': () => ({ echo: '', at: new Date().toISOString() }) });
    const res = await r.dispatch('app.ping', { message: 42 }, bridge, () => {});
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('validation');
      expect(res.error.detail).toEqual([expect.objectContaining({ path: 'message' })]);
    }
  });

  it('rejects unknown keys (inputs are strict) and unknown operations', async () => {
    const r = router().register({ 'app.ping': () => ({ echo: '', at: new Date().toISOString() }) });
    const extra = await r.dispatch('app.ping', { message: 'x', evil: true }, bridge, () => {});
    expect(extra.ok).toBe(false);
    const unknown = await r.dispatch('shell.exec', {}, bridge, () => {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'validation' } });
  });

  it('never lets a handler exception cross the boundary', async () => {
    const r = router().register({
      'app.ping': () => {
        throw new Error('boom');
      },
      'settings.get': () => {
        throw new OperationError('busy', 'The sync engine is busy; retry in a minute.', { retryAfterSeconds: 60 });
      },
    });
    await expect(r.dispatch('app.ping', { message: 'x' }, bridge, () => {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('boom') },
    });
    await expect(r.dispatch('settings.get', {}, bridge, () => {})).resolves.toEqual({
      ok: false,
      error: {
        code: 'busy',
        message: 'The sync engine is busy; retry in a minute.',
        detail: { retryAfterSeconds: 60 },
      },
    });
  });

  it('validates handler output against the contract', async () => {
    const r = router().register({ 'app.ping': () => ({ echo: 1, at: 'yesterday' }) as never });
    const res = await r.dispatch('app.ping', { message: 'x' }, bridge, () => {});
    expect(res).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('reports an operation without a handler as unavailable', async () => {
    const res = await router().dispatch('server.scheduler', {}, bridge, () => {});
    expect(res).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('streams validated progress events tagged with the operation id, and cancels by id', async () => {
    const events: ProgressEvent[] = [];
    const operationId = randomUUID();
    let release: () => void = () => {};
    const r = router().register({
      'server.waitForSyncCycle': async (_input, ctx) => {
        ctx.emit({ phase: 'running', elapsedMs: 10, connector: 'contoso.com', message: 'Delta Import' });
        ctx.emit({ phase: 'nonsense' } as never); // dropped: does not match the progress schema
        await new Promise<void>((resolve, reject) => {
          release = resolve;
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        });
        throw new Error('unreachable');
      },
    });
    const pending = r.dispatch(
      'server.waitForSyncCycle',
      { operationId, t0: new Date().toISOString(), timeoutSeconds: 60 },
      bridge,
      (e) => events.push(e),
    );
    await new Promise((res) => setTimeout(res, 10));
    expect(events).toEqual([
      {
        operationId,
        operation: 'server.waitForSyncCycle',
        data: { phase: 'running', elapsedMs: 10, connector: 'contoso.com', message: 'Delta Import' },
      },
    ]);
    const cancel = await r.dispatch('app.cancel', { operationId }, bridge, () => {});
    expect(cancel).toEqual({ ok: true, value: { cancelled: true } });
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'cancelled' } });
    release();
    const again = await r.dispatch('app.cancel', { operationId }, bridge, () => {});
    expect(again).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('refuses to register a handler twice', () => {
    const r = router().register({ 'app.ping': () => ({ echo: '', at: new Date().toISOString() }) });
    expect(() => r.register({ 'app.ping': () => ({ echo: '', at: new Date().toISOString() }) })).toThrow(/twice/);
  });
});

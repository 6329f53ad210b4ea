import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@contract';
import type { Ipc } from '../../../../../src-renderer/lib/soa/ports';
import { runStreaming } from '../../../../../src-renderer/lib/soa/streaming';

describe('runStreaming', () => {
  it('delivers only this operation’s progress and maps abort to app.cancel', async () => {
    const listeners = new Set<(e: ProgressEvent) => void>();
    const cancelled: string[] = [];
    let finish: (() => void) | undefined;
    const ipc = {
      onProgress: (l: (e: ProgressEvent) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      call: async (name: string, input: { operationId: string }) => {
        if (name === 'app.cancel') {
          cancelled.push(input.operationId);
          finish?.();
          return { ok: true, value: { cancelled: true } };
        }
        for (const l of listeners) {
          l({
            operationId: 'other',
            operation: name,
            data: { phase: 'running', elapsedMs: 1, connector: null, message: 'x' },
          });
          l({
            operationId: input.operationId,
            operation: name,
            data: { phase: 'running', elapsedMs: 5, connector: null, message: 'mine' },
          });
        }
        await new Promise<void>((r) => (finish = r));
        return { ok: false, error: { code: 'cancelled', message: 'Cancelled.' } };
      },
      invoke: async () => undefined,
    } as unknown as Ipc;
    const seen: string[] = [];
    const ctl = new AbortController();
    const p = runStreaming(
      ipc,
      'server.runSyncCycle',
      { policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true },
      {
        operationId: '11111111-1111-4111-8111-111111111111',
        signal: ctl.signal,
        onProgress: (e) => seen.push(e.message),
      },
    );
    await new Promise((r) => setTimeout(r, 5));
    ctl.abort();
    const r = await p;
    expect(seen).toEqual(['mine']);
    expect(cancelled).toEqual(['11111111-1111-4111-8111-111111111111']);
    expect(r.ok).toBe(false);
    expect(listeners.size).toBe(0);
  });
});

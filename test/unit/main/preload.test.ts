import { describe, expect, it, vi } from 'vitest';

const exposed = vi.hoisted(() => ({
  api: undefined as Record<string, unknown> | undefined,
  invoked: [] as [string, unknown][],
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: Record<string, unknown>) => key === 'soa' && (exposed.api = api),
  },
  ipcRenderer: {
    invoke: (channel: string, input: unknown) => (
      exposed.invoked.push([channel, input]),
      Promise.resolve({ ok: true, value: null })
    ),
    on: vi.fn(),
    removeListener: vi.fn(),
  },
}));

await import('../../../src-main/preload');
const { operationNames, methodName } = await import('../../../src-main/ipc/contract');

describe('preload', () => {
  it('exposes exactly one named function per operation plus onProgress — no generic invoke or send', () => {
    const keys = Object.keys(exposed.api ?? {}).sort();
    expect(keys).toEqual([...operationNames.map(methodName), 'onProgress'].sort());
    for (const forbidden of ['invoke', 'send', 'sendSync', 'on', 'ipcRenderer']) expect(keys).not.toContain(forbidden);
    expect(Object.isFrozen(exposed.api)).toBe(true);
  });

  it('binds each function to its own channel', async () => {
    const fn = exposed.api!.serverTraceObject as (i: unknown) => Promise<unknown>;
    await fn({ dn: 'CN=x' });
    expect(exposed.invoked.at(-1)).toEqual(['soa:server.traceObject', { dn: 'CN=x' }]);
  });

  it('returns a disposer from onProgress', () => {
    const dispose = (exposed.api!.onProgress as (l: () => void) => () => void)(() => {});
    expect(typeof dispose).toBe('function');
    dispose();
  });
});

import { describe, expect, it } from 'vitest';
import { BridgeError, electronClient } from '../../../../src-renderer/lib/soa-client';
import type { SoaApi } from '@contract';

describe('typed client over the preload API', () => {
  const calls: [string, unknown][] = [];
  const api = {
    appPing: (input: unknown) => (
      calls.push(['appPing', input]),
      Promise.resolve({ ok: true, value: { echo: 'x', at: 'now' } })
    ),
    serverScheduler: () =>
      Promise.resolve({ ok: false, error: { code: 'powershell', message: 'ADSync is not installed.' } }),
    onProgress: () => () => {},
  } as unknown as SoaApi;
  const client = electronClient(api);

  it('routes each operation to its named preload function', async () => {
    await expect(client.call('app.ping', { message: 'x' })).resolves.toEqual({
      ok: true,
      value: { echo: 'x', at: 'now' },
    });
    expect(calls).toEqual([['appPing', { message: 'x' }]]);
  });

  it('invoke throws a BridgeError carrying the typed error', async () => {
    const err = await client.invoke('server.scheduler', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('powershell');
  });

  it('answers unavailable for an operation the preload does not expose', async () => {
    await expect(client.call('auth.status', {})).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});

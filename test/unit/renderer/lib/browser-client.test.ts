/**
 * The renderer's browser-mode client against a real bridge: every request, the progress stream
 * included, carries the in-memory token in the `x-soa-token` header; nothing works with the cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ProgressEvent } from '@contract';
import { Router } from '../../../../src-main/ipc/router';
import { startBridge, type BridgeHandle } from '../../../../src-main/bridge/server';
import { browserClient } from '../../../../src-renderer/lib/soa-client';

let bridge: BridgeHandle;
let release: () => void = () => {};

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soa-client-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>soa-pilot</title>');
  const router = new Router({ validateSender: (s) => s.kind === 'bridge' }).register({
    'app.ping': ({ message }) => ({ echo: message, at: new Date().toISOString() }),
    'server.waitForSyncCycle': async (input, ctx) => {
      // emits until released, so a stream that connects a little later still sees events
      let done = false;
      const released = new Promise<void>((r) => (release = () => ((done = true), r())));
      while (!done) {
        ctx.emit({ phase: 'running', elapsedMs: 1, connector: null, message: 'working' });
        await Promise.race([released, new Promise((r) => setTimeout(r, 50))]);
      }
      return { t0: input.t0, finishedAt: new Date().toISOString(), runs: [], allSucceeded: true };
    },
  });
  bridge = await startBridge({ router, rendererDir: dir, token: 'client-test-token-0123456789' });
});
afterAll(() => bridge.close());

describe('browser-mode client', () => {
  it('calls operations and receives progress events with the token in the header only', async () => {
    const client = browserClient(bridge.token, bridge.origin);
    const events: ProgressEvent[] = [];
    const unsubscribe = client.onProgress((e) => events.push(e));
    expect(await client.call('app.ping', { message: 'hi' })).toMatchObject({ ok: true, value: { echo: 'hi' } });
    const operationId = randomUUID();
    const call = client.call('server.waitForSyncCycle', {
      operationId,
      t0: new Date().toISOString(),
      timeoutSeconds: 60,
    });
    await expect.poll(() => events.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ operationId, operation: 'server.waitForSyncCycle' });
    release();
    expect(await call).toMatchObject({ ok: true });
    unsubscribe();
  });

  it('with a wrong token the client gets a clear error and no events', async () => {
    const client = browserClient('not-the-token', bridge.origin);
    const result = await client.call('app.ping', { message: 'hi' });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbiddenSender' } });
    expect(JSON.stringify(result)).toMatch(/npm run demo/);
  });
});

import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices, customHostsFor } from '../../../src-main/services';
import { operationNames } from '../../../src-main/ipc/contract';

describe('service composition', () => {
  it('registers a handler for every contract operation', async () => {
    const services = createServices({
      transport: 'browser',
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'soa-services-')),
      validateSender: () => true,
    });
    try {
      for (const name of operationNames) expect(services.router.has(name), name).toBe(true);
      const info = await services.router.dispatch(
        'app.info',
        {},
        { kind: 'bridge', remoteAddress: '127.0.0.1' },
        () => {},
      );
      expect(info).toMatchObject({
        ok: true,
        value: { name: 'soa-pilot', transport: 'browser', lab: false, graphCustomHosts: [] },
      });
    } finally {
      await services.dispose();
    }
  });

  it('lists non-Graph hosts (the lab) as custom hosts so the Graph client attaches the token', () => {
    expect(customHostsFor('https://graph.microsoft.com')).toEqual([]);
    expect(customHostsFor('https://graph.microsoft.us')).toEqual([]);
    expect(customHostsFor('https://localhost:8443')).toEqual(['localhost']);
  });
});

import { describe, expect, it } from 'vitest';
import {
  sweep6956,
  syncAfterRun,
  normaliseDn,
  type BulkServerPort,
} from '../../../../../../src-renderer/lib/soa/bulk/server-follow-up';

describe('Connect Sync follow-up of a bulk run', () => {
  const events = [
    {
      time: '2026-11-27T10:00:00.000Z',
      recordId: 1,
      provider: 'ADSync',
      dn: 'CN=Ana Silva,OU=Contacts,DC=contoso,DC=com',
      dnSource: 'eventData' as const,
      message: '6956',
    },
    {
      time: '2026-11-27T10:00:01.000Z',
      recordId: 2,
      provider: 'ADSync',
      dn: 'cn=Bruno\\, Costa, ou=Contacts, dc=contoso, dc=com',
      dnSource: 'eventData' as const,
      message: '6956',
    },
    {
      time: '2026-11-27T10:00:02.000Z',
      recordId: 3,
      provider: 'ADSync',
      dn: 'CN=Someone Else,OU=Contacts,DC=contoso,DC=com',
      dnSource: 'eventData' as const,
      message: '6956',
    },
  ];
  const calls: string[] = [];
  const server: BulkServerPort = {
    runSyncCycle: async (input) => {
      calls.push(`sync ${input.policyType}`);
      return { status: 'busy', message: 'AAD is busy', retryAfterSeconds: 30 };
    },
    events6956: async (input) => {
      calls.push(`events since ${input.since}`);
      return { events, provider: 'ADSync' };
    },
    traceObjects: () => Promise.reject(new Error('not used here')),
  };

  it('reports which objects of the run are confirmed blocked by Event 6956', async () => {
    const res = await sweep6956(
      server,
      [
        { objectId: 'a', dn: 'CN=Ana Silva,OU=Contacts,DC=contoso,DC=com' },
        { objectId: 'b', dn: 'CN=Bruno\\, Costa,OU=Contacts,DC=contoso,DC=com' },
        { objectId: 'c', dn: 'CN=Carla,OU=Contacts,DC=contoso,DC=com' },
      ],
      '2026-11-27T09:59:00.000Z',
    );
    expect(res.confirmed.map((c) => [c.objectId, c.recordId])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(res.notSeen.map((n) => n.objectId)).toEqual(['c']);
    expect(res.otherEvents).toBe(1);
    expect(normaliseDn('CN=X , OU=Y')).toBe('cn=x,ou=y');
  });

  it('runs one delta cycle after the run and passes a busy engine through as a typed result', async () => {
    expect(await syncAfterRun(server)).toMatchObject({ status: 'busy' });
    expect(calls).toContain('sync Delta');
  });
});

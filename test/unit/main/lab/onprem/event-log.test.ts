import { afterEach, describe, expect, it } from 'vitest';
import { createFixture, SEED, START, type Fixture, type Json } from './onprem-fixture.js';

let fx: Fixture;
afterEach(() => fx?.server.close());

const NO_EVENTS = {
  status: 404,
  body: {
    error: {
      type: 'System.Exception',
      message: 'No events were found that match the specified selection criteria.',
      fqid: 'NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand',
      category: 'ObjectNotFound',
    },
  },
};

describe('Application event log (Get-WinEvent -FilterHashtable)', () => {
  it('fails with NoMatchingEventsFound when nothing matches', async () => {
    fx = createFixture();
    expect(await fx.call('GET', '/events', { LogName: 'Application', Id: '6956' })).toEqual(NO_EVENTS);
  });

  it('fails for a provider that does not exist, and for an unknown log', async () => {
    fx = createFixture();
    expect(
      await fx.call('GET', '/events', { LogName: 'Application', ProviderName: 'Azure AD Sync Thing', Id: '6956' }),
    ).toEqual({
      status: 404,
      body: {
        error: {
          type: 'System.Exception',
          message: 'There is not an event provider on the localhost computer that matches "Azure AD Sync Thing".',
          fqid: 'NoMatchingProvidersFound,Microsoft.PowerShell.Commands.GetWinEventCommand',
          category: 'ObjectNotFound',
        },
      },
    });
    const log = await fx.call('GET', '/events', { LogName: 'Security' });
    expect(log.status).toBe(404);
    expect(log.body.error.fqid).toBe('NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand');
    // a known provider with no events of that id is "no events", not "no provider"
    expect(await fx.call('GET', '/events', { ProviderName: 'ADSync', Id: '6956' })).toEqual(NO_EVENTS);
  });

  it('filters by Id array, provider, time window and MaxEvents, newest first', async () => {
    fx = createFixture();
    await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.transferred.attrs.distinguishedName, Replace: { department: 'one' } },
    );
    await fx.cycle();
    fx.clock.advance(60_000);
    const between = new Date(fx.clock.now()).toISOString();
    fx.clock.advance(60_000);
    await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.transferred.attrs.distinguishedName, Replace: { department: 'two' } },
    );
    await fx.cycle();

    const all = (await fx.call('GET', '/events', { LogName: 'Application' })).body.value as Json[];
    const ids = all.map((e) => e.RecordId);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.map((e) => e.Id)).toEqual(expect.arrayContaining([904, 6956, 2001, 1003, 17137]));

    const both = (await fx.call('GET', '/events', { Id: ['6956', '904'] })).body.value as Json[];
    expect(both.map((e) => e.Id)).toEqual([904, 6956, 904, 904, 6956, 904]);
    expect(
      (await fx.call('GET', '/events', { Id: '6956,904', MaxEvents: '2' })).body.value.map((e: Json) => e.Id),
    ).toEqual([904, 6956]);

    const later = (await fx.call('GET', '/events', { Id: '6956', StartTime: between })).body.value as Json[];
    expect(later).toHaveLength(1);
    expect(Date.parse(later[0].TimeCreated)).toBeGreaterThan(Date.parse(between));
    const earlier = (
      await fx.call('GET', '/events', { Id: '6956', EndTime: between, StartTime: new Date(START).toISOString() })
    ).body.value as Json[];
    expect(earlier).toHaveLength(1);
    expect(earlier[0].RecordId).toBeLessThan(later[0].RecordId);

    const sched = (await fx.call('GET', '/events', { ProviderName: 'Directory Sync*', Id: '904' })).body
      .value as Json[];
    expect(sched[0]).toMatchObject({
      ProviderName: 'Directory Synchronization',
      LevelDisplayName: 'Information',
      Message: 'Scheduler::SchedulerThreadMain : Completed configured scheduler operations.',
      MachineName: 'AADCONNECT01.contoso.com',
    });
    expect(Object.keys(sched[0])).toEqual([
      'TimeCreated',
      'Id',
      'ProviderName',
      'LogName',
      'Level',
      'LevelDisplayName',
      'RecordId',
      'MachineName',
      'Message',
      'Properties',
    ]);
  });

  it('lets the lab write an event', async () => {
    fx = createFixture();
    const w = await fx.call(
      'POST',
      '/events',
      {},
      { Id: 6956, ProviderName: 'ADSync', Message: 'hand-made', Properties: ['CN=X'] },
    );
    expect(w.status).toBe(201);
    expect(w.body).toMatchObject({ Id: 6956, ProviderName: 'ADSync', Level: 4, Properties: [{ Value: 'CN=X' }] });
    expect((await fx.call('GET', '/events', { Id: '6956' })).body.value[0].Message).toBe('hand-made');
    expect((await fx.call('GET', '/events', { Id: 'x' })).status).toBe(400);
  });
});

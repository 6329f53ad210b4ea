/**
 * The named schemas of src-main/ipc/schemas/ that the operation fixtures do not reach, each rule with its failing
 * case: an AD search domain (a DNS name, at most 253 characters, at most 50 of them), a journal observation record,
 * and the sync engine a saved wizard run keeps. A realistic value must pass unchanged (a lost field, a swapped bound
 * or an emptied enum fails it); a value just past each bound must be refused.
 */
import { describe, expect, it } from 'vitest';
import { journalRecord, savedSyncEngine, searchDomain } from '../../../../src-main/ipc/contract';
import { searchDomains } from '../../../../src-main/ipc/schemas/server';

const s = (n: number, c = 'a') => c.repeat(n);

describe('named IPC schemas', () => {
  it('an AD search domain is a DNS name of at most 253 characters; at most 50 are asked', () => {
    for (const ok of ['fabrikam.com', 'a.b.co', 'EU-West.Fabrikam.COM', 'x1.contoso-corp.com', `${s(63)}.com`])
      expect(searchDomain.safeParse(ok).success, ok).toBe(true);
    for (const bad of [
      'fabrikam', // one label
      '.fabrikam.com',
      'fabrikam.com.',
      '-fab.com',
      'fab-.com',
      'fab..com',
      'fabrikam.c', // the last label has at least two characters
      'fabrikam.1com',
      'fabrikam.co-',
      'fab_rikam.com',
      ' fabrikam.com',
      'fabrikam.com ',
      `${s(64)}.com`,
      `fabrikam.${s(64)}`,
      'fabrikam.com; rm -rf /',
    ])
      expect(searchDomain.safeParse(bad).success, bad).toBe(false);
    const long = `${Array.from({ length: 63 }, () => 'abc').join('.')}.com`; // 255 characters
    expect(long.length).toBe(255);
    expect(searchDomain.safeParse(long).success).toBe(false);
    const edge = `${Array.from({ length: 62 }, () => 'abc').join('.')}.abcde`; // 253 characters
    expect(edge.length).toBe(253);
    expect(searchDomain.safeParse(edge).success).toBe(true);
    const r = searchDomain.safeParse('fabrikam');
    expect(r.success ? '' : r.error.issues[0]?.message).toBe('an AD domain is a DNS name such as fabrikam.com');
    expect(searchDomains.safeParse(Array.from({ length: 50 }, (_, i) => `d${i}.com`)).success).toBe(true);
    expect(searchDomains.safeParse(Array.from({ length: 51 }, (_, i) => `d${i}.com`)).success).toBe(false);
    expect(searchDomains.safeParse(undefined).success).toBe(true);
  });

  it('a journal observation keeps every field; ids of 1–100 characters; the five topics only', () => {
    for (const topic of ['bulkRunEnd', 'bulkServerCycle', 'bulkFollowUpEnd', 'bulkAudit', 'bulkSweep6956']) {
      const rec = { kind: 'observation', opId: `run-1/${topic}`, runId: 'run-1', topic, data: { n: 1 } };
      expect(journalRecord.parse(rec)).toEqual(rec);
    }
    const base = { kind: 'observation', opId: 'o', runId: 'r', topic: 'bulkAudit', data: null };
    expect(journalRecord.safeParse({ ...base, opId: s(100), runId: s(100) }).success).toBe(true);
    for (const bad of [
      { opId: '' },
      { runId: '' },
      { opId: s(101) },
      { runId: s(101) },
      { topic: 'bulkOther' },
      { topic: '' },
    ])
      expect(journalRecord.safeParse({ ...base, ...bad }).success, JSON.stringify(bad).slice(0, 40)).toBe(false);
  });

  it('a saved sync engine keeps its route and rule unchanged, and refuses each value past its bound', () => {
    const engine = {
      route: {
        engine: 'both',
        domain: 'fabrikam.com',
        cloudSync: {
          servicePrincipalId: 'sp-1',
          displayName: 'fabrikam.com',
          jobId: 'AD2AADProvisioning.abc.def',
          domain: 'fabrikam.com',
          domainSource: 'jobSettings',
          forest: 'fabrikam.com',
          scheduleState: 'Active',
          statusCode: 'Active',
          interval: 'PT2M',
        },
        connectSync: { connector: 'fabrikam.com', partition: 'DC=fabrikam,DC=com' },
        basis: ['the job names the domain', 'the connector names the partition'],
      },
      rule: {
        ruleId: 'rule-1',
        objectTypeName: 'contact',
        objectTypeNames: ['contact', 'user'],
        mappedTypes: ['contact', 'group'],
      },
    };
    expect(savedSyncEngine.parse(engine)).toEqual(engine);
    for (const e of ['cloudSync', 'connectSync', 'none', 'unknown'])
      expect(savedSyncEngine.safeParse({ ...engine, route: { ...engine.route, engine: e } }).success, e).toBe(true);
    for (const d of ['displayName', 'none'])
      expect(
        savedSyncEngine.safeParse({
          ...engine,
          route: { ...engine.route, cloudSync: { ...engine.route.cloudSync, domainSource: d } },
        }).success,
        d,
      ).toBe(true);
    const withCloud = (over: object) => ({
      ...engine,
      route: { ...engine.route, cloudSync: { ...engine.route.cloudSync, ...over } },
    });
    const withRoute = (over: object) => ({ ...engine, route: { ...engine.route, ...over } });
    const withRule = (over: object) => ({ ...engine, rule: { ...engine.rule, ...over } });
    const edges = [
      withCloud({ servicePrincipalId: s(100), displayName: s(512), jobId: s(300), domain: s(255), forest: s(255) }),
      withCloud({ scheduleState: s(100), statusCode: s(100), interval: s(100) }),
      withRoute({ domain: s(255), connectSync: { connector: s(512), partition: s(2048) } }),
      withRoute({ basis: Array.from({ length: 20 }, () => s(4000)) }),
      withRule({ ruleId: s(300), objectTypeName: s(100), objectTypeNames: Array.from({ length: 20 }, () => s(100)) }),
      withRule({ mappedTypes: Array.from({ length: 100 }, () => s(100)) }),
    ];
    for (const [i, ok] of edges.entries()) expect(savedSyncEngine.safeParse(ok).success, `edge ${i}`).toBe(true);
    const past = [
      withCloud({ servicePrincipalId: '' }),
      withCloud({ servicePrincipalId: s(101) }),
      withCloud({ displayName: s(513) }),
      withCloud({ jobId: '' }),
      withCloud({ jobId: s(301) }),
      withCloud({ domain: s(256) }),
      withCloud({ domainSource: 'guess' }),
      withCloud({ forest: s(256) }),
      withCloud({ scheduleState: s(101) }),
      withCloud({ statusCode: s(101) }),
      withCloud({ interval: s(101) }),
      withRoute({ engine: 'other' }),
      withRoute({ domain: s(256) }),
      withRoute({ connectSync: { connector: s(513), partition: 'p' } }),
      withRoute({ connectSync: { connector: 'c', partition: s(2049) } }),
      withRoute({ basis: Array.from({ length: 21 }, () => 'b') }),
      withRoute({ basis: [s(4001)] }),
      withRule({ ruleId: '' }),
      withRule({ ruleId: s(301) }),
      withRule({ objectTypeName: s(101) }),
      withRule({ objectTypeNames: Array.from({ length: 21 }, () => 't') }),
      withRule({ objectTypeNames: [s(101)] }),
      withRule({ mappedTypes: Array.from({ length: 101 }, () => 't') }),
      withRule({ mappedTypes: [s(101)] }),
    ];
    for (const [i, bad] of past.entries()) expect(savedSyncEngine.safeParse(bad).success, `past ${i}`).toBe(false);
    expect(
      savedSyncEngine.parse({ route: { ...engine.route, cloudSync: null, connectSync: null }, rule: null }),
    ).toEqual({
      route: { ...engine.route, cloudSync: null, connectSync: null },
      rule: null,
    });
  });
});

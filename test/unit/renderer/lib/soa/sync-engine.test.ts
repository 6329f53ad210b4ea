import { describe, expect, it } from 'vitest';
import type { CloudSyncConfiguration } from '../../../../../src-renderer/lib/graph/cloud-sync-graph';
import {
  adDomainOf,
  connectorFor,
  dnUnder,
  engineCoverage,
  routeObject,
} from '../../../../../src-renderer/lib/soa/sync-engine';

const cfg = (domain: string | null, jobId = `AD2AADProvisioning.${domain}`): CloudSyncConfiguration => ({
  servicePrincipalId: `sp-${domain}`,
  displayName: domain,
  jobId,
  domain,
  domainSource: 'jobSettings',
  forest: domain,
  scheduleState: 'Active',
  statusCode: 'Active',
  interval: 'PT2M',
});
const contoso = [{ connector: 'contoso.com', partitions: ['DC=contoso,DC=com'] }];

describe('the AD domain of a DN', () => {
  it('joins the DC components', () => {
    expect(adDomainOf('CN=Ann,OU=Sales,DC=Corp,DC=Contoso,DC=com')).toBe('corp.contoso.com');
    expect(adDomainOf('CN=Smith\\, Ann,DC=fabrikam,DC=local')).toBe('fabrikam.local');
    expect(adDomainOf('CN=NoDomain')).toBeNull();
  });
  it('matches partitions by whole RDNs only', () => {
    expect(dnUnder('CN=a,DC=contoso,DC=com', 'DC=contoso,DC=com')).toBe(true);
    expect(dnUnder('CN=a,DC=notcontoso,DC=com', 'DC=contoso,DC=com')).toBe(false);
    expect(
      connectorFor('CN=a,DC=child,DC=contoso,DC=com', [
        ...contoso,
        { connector: 'child', partitions: ['DC=child,DC=contoso,DC=com'] },
      ]),
    ).toEqual({
      connector: 'child',
      partition: 'DC=child,DC=contoso,DC=com',
    });
  });
});

describe('routing an object to its engine', () => {
  it('routes a Cloud Sync domain to Cloud Sync and a Connect Sync partition to Connect Sync', () => {
    const inputs = { cloudSync: [cfg('fabrikam.local')], connectSync: contoso };
    const cloud = routeObject('CN=Ann,OU=C,DC=fabrikam,DC=local', inputs);
    expect(cloud.engine).toBe('cloudSync');
    expect(cloud.cloudSync?.jobId).toBe('AD2AADProvisioning.fabrikam.local');
    const connect = routeObject('CN=Bob,OU=C,DC=contoso,DC=com', inputs);
    expect(connect.engine).toBe('connectSync');
    expect(connect.connectSync).toEqual({ connector: 'contoso.com', partition: 'DC=contoso,DC=com' });
  });

  it('does not route a child domain to its parent domain’s Cloud Sync job (exact DomainFQDN)', () => {
    const r = routeObject('CN=Ann,DC=emea,DC=fabrikam,DC=local', {
      cloudSync: [cfg('fabrikam.local')],
      connectSync: [],
    });
    expect(r.engine).toBe('none');
  });

  it('reports both engines as a conflict, never picks one', () => {
    const r = routeObject('CN=Ann,DC=contoso,DC=com', { cloudSync: [cfg('contoso.com')], connectSync: contoso });
    expect(r.engine).toBe('both');
    expect(r.basis.join(' ')).toMatch(/Both engines/);
  });

  it('says unknown (not none) when one side could not be read', () => {
    expect(routeObject('CN=Ann,DC=x,DC=com', { cloudSync: null, connectSync: contoso }).engine).toBe('unknown');
    expect(routeObject('CN=Ann,DC=x,DC=com', { cloudSync: [], connectSync: null }).engine).toBe('unknown');
    expect(routeObject('CN=Ann,DC=x,DC=com', { cloudSync: [], connectSync: [] }).engine).toBe('none');
    expect(routeObject(null, { cloudSync: [], connectSync: [] }).engine).toBe('unknown');
  });

  it('still finds Cloud Sync when only the server is unreachable', () => {
    expect(
      routeObject('CN=Ann,DC=fabrikam,DC=local', { cloudSync: [cfg('fabrikam.local')], connectSync: null }).engine,
    ).toBe('cloudSync');
  });

  it('lists which objects each engine covers', () => {
    const cov = engineCoverage(
      [
        'CN=a,DC=fabrikam,DC=local',
        'CN=b,DC=contoso,DC=com',
        'CN=c,DC=fabrikam,DC=local',
        'CN=d,DC=other,DC=org',
        null,
      ],
      { cloudSync: [cfg('fabrikam.local')], connectSync: contoso },
    );
    expect(cov.cloudSync).toHaveLength(1);
    expect(cov.cloudSync[0]?.objects).toEqual(['CN=a,DC=fabrikam,DC=local', 'CN=c,DC=fabrikam,DC=local']);
    expect(cov.connectSync).toEqual([{ connector: 'contoso.com', objects: ['CN=b,DC=contoso,DC=com'] }]);
    expect(cov.none).toEqual(['CN=d,DC=other,DC=org']);
    expect(cov.unknown).toEqual(['(no DN)']);
  });
});

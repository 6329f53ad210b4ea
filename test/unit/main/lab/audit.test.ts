import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { MSG_DENIED } from '../../../../src-main/lab/tenant/graph';
import { arr, contactIds, errorOf, graph, rec, SOA_SCOPES, UPN } from './lab-http';

let lab: LabHandle;
let token: string;

beforeAll(async () => {
  lab = await startLab({ seed: 31, contacts: 40 });
  token = await lab.mintToken(UPN.full, SOA_SCOPES);
});
afterAll(async () => {
  await lab.close();
});
beforeEach(async () => {
  await lab.control('DELETE', '/throttle');
  lab.setClockOffset(0);
});

const audits = (q: string, t = token): ReturnType<typeof graph> =>
  graph(lab, `/auditLogs/directoryAudits?${q}`, { token: t });

describe('lab Graph: audit logs', () => {
  it('each SOA change and undo writes an entry, visible only after the ingestion delay', async () => {
    lab.updateSettings({ auditIngestionMs: 120_000 });
    const [cid] = await contactIds(lab, 'synced', 1);
    const start = new Date(lab.clock.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    expect(
      (
        await graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, {
          token,
          method: 'PATCH',
          body: { isCloudManaged: true },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, {
          token,
          method: 'PATCH',
          body: { isCloudManaged: false },
        })
      ).status,
    ).toBe(204);
    const q = `$filter=targetResources/any(t: t/id eq '${cid}') and activityDateTime ge ${start}`;
    const early = await audits(q);
    expect(early.status).toBe(200);
    expect(arr(rec(early.json).value)).toHaveLength(0);
    lab.setClockOffset(121_000);
    const late = await audits(q);
    const v = arr(rec(late.json).value).map(rec);
    expect(v.map((e) => e.activityDisplayName)).toEqual([
      'Undo changes to Source of Authority from AD DS to cloud',
      'Change Source of Authority from AD to cloud',
    ]);
    expect(v[1]).toMatchObject({ result: 'success', loggedByService: 'Core Directory', operationType: 'Update' });
    expect(rec(rec(v[1]?.initiatedBy).user).userPrincipalName).toBe(UPN.full);
    expect(rec(arr(v[1]?.targetResources)[0])).toMatchObject({ id: cid, type: 'Contact' });
    // the control API sees all entries, with their visibility
    const all = await lab.control('GET', '/audit-log');
    expect(arr(rec(all.body).value).length).toBeGreaterThanOrEqual(2);
    lab.updateSettings({ auditIngestionMs: 2_000 });
  });

  it('$filter on activityDisplayName eq / startswith', async () => {
    lab.updateSettings({ auditIngestionMs: 0 });
    const [, cid] = await contactIds(lab, 'synced', 2);
    await graph(lab, `/contacts/${cid}/onPremisesSyncBehavior`, {
      token,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    const eq = await audits("$filter=activityDisplayName eq 'Change Source of Authority from AD to cloud'");
    expect(arr(rec(eq.json).value).length).toBeGreaterThanOrEqual(1);
    const sw = await audits("$filter=startswith(activityDisplayName,'Change Source of Authority from AD')&$top=1");
    expect(sw.status).toBe(200);
    expect(arr(rec(sw.json).value)).toHaveLength(1);
    const bad = await audits("$filter=resultReason eq 'x'");
    expect(bad.status).toBe(400);
    lab.updateSettings({ auditIngestionMs: 2_000 });
  });

  it('needs AuditLog.Read.All + Directory.Read.All and a reader role (Hybrid Administrator is not one)', async () => {
    const noAudit = await lab.mintToken(UPN.noAudit, SOA_SCOPES);
    const r1 = await audits('$top=1', noAudit);
    expect(r1.status).toBe(403);
    expect(errorOf(r1)).toMatchObject({ code: 'Authorization_RequestDenied', message: MSG_DENIED });
    const onlyAudit = await lab.mintToken(UPN.full, ['AuditLog.Read.All']);
    const r2 = await audits('$top=1', onlyAudit);
    expect(r2.status).toBe(403);
  });

  it('audit reads are throttled at 5 per 10 s per app and tenant', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof graph>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await audits('$top=1');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(last?.headers['retry-after'])).toBeLessThanOrEqual(2);
    expect(last?.headers['x-ms-throttle-scope']).toBe(
      `Tenant_Application/Reports/${lab.info.clientId}/${lab.info.tenantId}`,
    );
  });
});

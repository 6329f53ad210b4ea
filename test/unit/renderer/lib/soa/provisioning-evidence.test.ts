import { describe, expect, it } from 'vitest';
import {
  finishStep,
  newStep,
  reportHtml,
  type EvidenceReport,
  type StepEvidence,
} from '../../../../../src-renderer/lib/soa/evidence';
import { provisioningEvidence } from '../../../../../src-renderer/lib/soa/provisioning-evidence';

const SOA = 'As the SOA of this contact is in the cloud, this object will not sync.';
const at = '2027-01-15T08:00:00.000Z';
const LOG = "GET https://graph/v1.0/auditLogs/provisioning?$filter=jobId eq 'j' and activityDateTime gt x";
const POD = 'POST https://graph/v1.0/servicePrincipals/sp/synchronization/jobs/j/provisionOnDemand';

function step(id: string, requests: StepEvidence['requests']): StepEvidence {
  const s = newStep(id, id, 'p', new Date(at));
  s.requests.push(...requests);
  return finishStep(s, 'pass', 'o', new Date(at));
}
const logRead = (entries: { id: string; activityDateTime: string; status: string; reason: string | null }[]) => ({
  kind: 'graph' as const,
  label: LOG,
  at,
  status: 200,
  response: { entries: entries.length + 3, forThisObject: entries.map((e) => ({ ...e, cycleId: 'c' })) },
});
const pod = {
  kind: 'graph' as const,
  label: POD,
  at,
  status: 200,
  response: { result: 'Skipped', details: { errorMessage: SOA }, steps: [] },
};

describe('the provisioning-log evidence of a run', () => {
  it('is absent for a run that never asked Cloud Sync (Connect Sync)', () => {
    expect(
      provisioningEvidence([step('verify-server', [{ kind: 'powershell', label: 'Get-ADSyncCSObject', at }])]),
    ).toBeNull();
  });

  it('lists each entry for the object once, oldest first, with the provisionOnDemand answers', () => {
    const e1 = { id: 'e1', activityDateTime: '2027-01-15T08:01:00Z', status: 'skipped', reason: SOA };
    const e2 = { id: 'e2', activityDateTime: '2027-01-15T08:09:00Z', status: 'success', reason: null };
    const p = provisioningEvidence([
      step('ad-blocked', [pod, logRead([]), logRead([e1])]),
      step('takeover', [logRead([e2, e1])]),
    ]);
    expect(p?.entries.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(p?.logReads).toBe(3);
    expect(p?.statement).toMatch(/^2 provisioning-log entries for this object: e1 at .*skipped \("As the SOA/);
    expect(p?.statement).toMatch(/provisionOnDemand answered: Skipped/);
  });

  it('says plainly that there is no log evidence when the log could not be read', () => {
    const p = provisioningEvidence([
      step('ad-blocked', [
        pod,
        {
          kind: 'graph',
          label: LOG,
          at,
          status: 403,
          response: { error: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', message: 'no P1' },
        },
      ]),
    ]);
    expect(p?.entries).toEqual([]);
    expect(p?.statement).toMatch(
      /^No provisioning-log evidence: the log could not be read \(403 Authentication_Request/,
    );
    expect(p?.statement).toMatch(/provisionOnDemand answered: Skipped/);
  });

  it('says no entry was seen when the log answered without one for the object', () => {
    const p = provisioningEvidence([step('verify-server', [logRead([]), logRead([])])]);
    expect(p?.statement).toBe('No provisioning-log entry for this object was seen in 2 read(s) of the log.');
  });

  it('shows in the HTML report only when there is Cloud Sync evidence', () => {
    const base: EvidenceReport = {
      schema: 'soa-pilot.evidence/1',
      kind: 'transfer',
      generatedAt: at,
      app: { version: '1', transport: 'browser', lab: true },
      tenant: 't',
      admin: null,
      object: { type: 'contact', id: 'c', displayName: 'C', distinguishedName: null, mail: null },
      outcome: 'ok',
      steps: [],
      journal: { opIds: [] },
    };
    expect(reportHtml(base)).not.toMatch(/Provisioning log/);
    const p = provisioningEvidence([step('verify-server', [logRead([])])]);
    const html = reportHtml({
      ...base,
      syncEngine: { engine: 'cloudSync', basis: ['Cloud Sync: job j provisions adatum.com.'] },
      ...(p ? { provisioningLog: p } : {}),
    });
    expect(html).toMatch(/<th>Sync engine<\/th><td>Cloud Sync: Cloud Sync: job j/);
    expect(html).toMatch(/data-evidence="provisioning-log">No provisioning-log entry for this object/);
  });
});

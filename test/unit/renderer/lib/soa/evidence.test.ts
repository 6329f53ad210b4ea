import { describe, expect, it } from 'vitest';
import {
  finishStep,
  newStep,
  openAdStep,
  reportHtml,
  reportJson,
  reportName,
  type EvidenceReport,
} from '../../../../../src-renderer/lib/soa/evidence';

function report(): EvidenceReport {
  const s = newStep('transfer', 'Transfer <now>', 'PATCH & verify', new Date('2026-01-02T03:04:05.678Z'));
  s.expected = 'isCloudManaged = true';
  s.requests.push({
    kind: 'graph',
    label: 'PATCH https://graph.microsoft.com/v1.0/contacts/abc/onPremisesSyncBehavior',
    body: { isCloudManaged: true },
    at: s.startedAt,
    status: 204,
    requestId: 'req-1',
    attempts: [
      { seq: 1, at: s.startedAt, method: 'PATCH', url: 'u', status: 429, requestId: 'a', retryAfter: '2' },
      { seq: 2, at: s.startedAt, method: 'PATCH', url: 'u', status: 204, requestId: 'b', retryAfter: null },
    ],
  });
  finishStep(s, 'pass', '<script>alert(1)</script>', new Date('2026-01-02T03:04:06.000Z'));
  return {
    schema: 'soa-pilot.evidence/1',
    kind: 'transfer',
    generatedAt: '2026-01-02T03:05:00.123Z',
    app: { version: '0.1.0', transport: 'browser', lab: true },
    tenant: 'contoso',
    admin: 'admin@contoso.com',
    object: {
      type: 'contact',
      id: '0516c45e-6d77',
      displayName: 'Chen "Taylor"',
      distinguishedName: 'CN=Chen Taylor,DC=contoso',
      mail: null,
    },
    outcome: 'Transferred.',
    steps: [s],
    journal: { opIds: ['op-1'] },
  };
}

describe('evidence report', () => {
  it('names the file within report.save’s pattern', () => {
    const name = reportName(report());
    expect(name).toMatch(/^[A-Za-z0-9._-]{1,120}$/);
    expect(name).toBe('transfer-0516c45e-20260102T030500Z');
  });

  it('JSON round-trips every step, request-id and attempt', () => {
    const parsed = JSON.parse(reportJson(report())) as EvidenceReport;
    expect(parsed.steps[0]?.requests[0]?.requestId).toBe('req-1');
    expect(parsed.steps[0]?.requests[0]?.attempts?.map((a) => a.status)).toEqual([429, 204]);
    expect(parsed.steps[0]?.finishedAt).toBe('2026-01-02T03:04:06.000Z');
  });

  it('HTML is printable, self-contained and escapes everything', () => {
    const html = reportHtml(report());
    expect(html).toContain('@media print');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Chen &quot;Taylor&quot;');
    expect(html).toContain('PATCH → 429 (Retry-After 2)');
    expect(html).toContain('request-id req-1');
  });
});

describe('openAdStep: the opening of a step on the AD side', () => {
  const spec = { id: 'ad-blocked', title: 'Prove', purpose: 'Change AD', expected: 'Skipped for the SOA' };
  const clock = { now: () => new Date('2026-01-02T03:04:05.000Z') };

  it('opens the step with its expectation and hands back the DN', () => {
    const { step, dn } = openAdStep(spec, { dn: 'CN=A,OU=Contacts,DC=contoso,DC=com' }, clock);
    expect(dn).toBe('CN=A,OU=Contacts,DC=contoso,DC=com');
    expect(step).toMatchObject({ id: 'ad-blocked', expected: 'Skipped for the SOA', verdict: 'pending', notes: [] });
    expect(step.finishedAt).toBeUndefined();
  });

  it('without a DN the step is finished as skipped, saying why', () => {
    const { step, dn } = openAdStep(spec, { dn: null }, clock);
    expect(dn).toBeNull();
    expect(step).toMatchObject({ verdict: 'skipped', observed: 'No DN matched.' });
    expect(step.finishedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(step.notes.join(' ')).toMatch(/No on-premises DN was matched/);
  });
});

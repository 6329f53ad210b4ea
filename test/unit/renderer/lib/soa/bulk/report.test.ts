import { describe, expect, it } from 'vitest';
import { runCsv, runHtml } from '../../../../../../src-renderer/lib/soa/bulk/report';
import type { RunSummary } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import { summariseLevels } from '../../../../../../src-renderer/lib/soa/bulk/evidence-levels';
import { REPORT_CSP } from '../../../../../../src-renderer/lib/soa/report-content-security-policy';

function summary(displayName: string): RunSummary {
  return {
    runId: 'r',
    startedAt: 'a',
    finishedAt: 'b',
    cancelled: false,
    progress: {
      runId: 'r',
      total: 1,
      done: 1,
      verified: 1,
      skipped: 0,
      failed: 0,
      unverified: 0,
      remaining: 0,
      writesSent: 1,
      throttled: 0,
      retries: 0,
      ratePerSecond: 0,
      etaSeconds: 0,
      concurrency: 1,
      writeRate: 1,
      state: 'finished',
    },
    items: [
      {
        opId: 'r/contact/x',
        objectId: 'x',
        objectType: 'contact',
        displayName,
        action: 'transfer',
        outcome: 'verified',
        before: false,
        after: true,
        written: true,
        fromJournal: false,
        writeStatus: 204,
        requestId: 'req-1',
        attempts: 0,
      },
    ],
  };
}

describe('CSV formula neutralisation', () => {
  it('neutralises a full-width formula in a run report row', () => {
    const csv = runCsv(summary('\uff1dHYPERLINK("https://evil.example")'));
    expect(csv).toContain(`"'\uff1dHYPERLINK(""https://evil.example"")"`);
  });
});

describe('bulk HTML report', () => {
  it('carries the same Content-Security-Policy meta tag as the evidence report, inside the head', () => {
    const html = runHtml(summary('<img src=x onerror=alert(1)>'));
    const head = html.slice(0, html.indexOf('</head>'));
    expect(head).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(html).not.toContain('<img');
  });
});

describe('evidence level in the bulk report', () => {
  const s = summary('Ana');
  const pendingObs = new Map([
    [
      'x',
      {
        objectId: 'x',
        confirmed: false,
        awaitingExportConfirmation: true,
        detail: 'Takeover started',
        cycle: 1,
        observedAt: 't',
      },
    ],
  ]);

  it('lists each object at verified in the cloud while the server has not confirmed it', () => {
    const levels = summariseLevels('transfer', s.items, pendingObs);
    const csv = runCsv(s, levels);
    expect(csv.split('\r\n')[0]).toContain('evidenceLevel');
    expect(csv).toContain('Verified in the cloud');
    expect(csv).not.toContain('Confirmed on the server');
    const html = runHtml(s, undefined, { levels });
    expect(html).toContain('data-level="cloudVerified"');
    expect(html).toContain('pending on the server: 1');
  });

  it('lists the object as confirmed on the server once the trace confirms it', () => {
    const levels = summariseLevels('transfer', s.items, new Map([['x', { ...pendingObs.get('x')!, confirmed: true }]]));
    expect(runCsv(s, levels)).toContain('Confirmed on the server');
    expect(runHtml(s, undefined, { levels })).toContain('data-level="serverConfirmed"');
  });
});

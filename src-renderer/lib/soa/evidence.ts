/**
 * The evidence report: every step of a transfer or rollback with timestamps, the exact Graph
 * requests and PowerShell commands, request-ids, what came back, and expected versus observed.
 * Rendered as JSON (machine-readable) and as self-contained printable HTML (no scripts, no
 * external resources).
 */
import type { ProofRecord } from './proof';
import type { HttpAttempt } from './ports';
import { REPORT_CSP_META } from './report-content-security-policy';
import { escapeHtml } from '../html-escape';

/** `cancelled`: the admin stopped the step on purpose (neutral, not a failure). */
export type Verdict = 'pass' | 'warn' | 'fail' | 'info' | 'skipped' | 'pending' | 'cancelled';

export interface RequestRecord {
  kind: 'graph' | 'powershell' | 'journal';
  /** The exact request line (`PATCH https://…/v1.0/contacts/{id}/onPremisesSyncBehavior`) or command. */
  label: string;
  body?: unknown;
  at: string;
  /** HTTP status, or a short result for commands. */
  status?: number | string;
  requestId?: string | null;
  /** What came back, trimmed for the report. */
  response?: unknown;
  /** Every HTTP attempt below the retry handler (429s and retries show here). */
  attempts?: HttpAttempt[];
}

export interface StepEvidence {
  id: string;
  title: string;
  /** What the step does, in one or two sentences. */
  purpose: string;
  startedAt: string;
  finishedAt?: string;
  requests: RequestRecord[];
  expected: string;
  observed: string;
  verdict: Verdict;
  notes: string[];
  /** For the read-only and writable proofs: made by a write, or by state evidence only. */
  proof?: ProofRecord;
}

/** The Cloud Sync evidence of a run (built by provisioning-evidence.ts from the steps' requests). */
export interface ProvisioningLogEntryEvidence {
  step: string;
  id: string;
  activityDateTime: string | null;
  status: string | null;
  reason: string | null;
}

export interface ProvisioningEvidence {
  /** Entries for this object, once each (the newest read of an entry wins), oldest first. */
  entries: ProvisioningLogEntryEvidence[];
  /** provisionOnDemand answers (result and the reason text when skipped). */
  onDemand: { step: string; result: string | null; reason: string | null }[];
  /** How many times the log was read, and why reads failed. */
  logReads: number;
  logErrors: string[];
  /** One plain sentence for the report. */
  statement: string;
}

export interface EvidenceReport {
  schema: 'soa-pilot.evidence/1';
  kind: 'transfer' | 'rollback';
  generatedAt: string;
  app: { version: string; transport: string; lab: boolean };
  tenant: string;
  admin: string | null;
  object: { type: 'contact'; id: string; displayName: string; distinguishedName: string | null; mail: string | null };
  /** One sentence: what happened overall. */
  outcome: string;
  steps: StepEvidence[];
  journal: { opIds: string[] };
  /** The object's sync engine as the engine step found it (absent when it was not detected). */
  syncEngine?: { engine: string; basis: string[] };
  /** Cloud Sync runs: the provisioning-log evidence of all steps, or a plain statement that it is missing. */
  provisioningLog?: ProvisioningEvidence;
}

export function newStep(id: string, title: string, purpose: string, now: Date): StepEvidence {
  return {
    id,
    title,
    purpose,
    startedAt: now.toISOString(),
    requests: [],
    expected: '',
    observed: '',
    verdict: 'pending',
    notes: [],
  };
}

export function finishStep(step: StepEvidence, verdict: Verdict, observed: string, now: Date): StepEvidence {
  step.verdict = verdict;
  step.observed = observed;
  step.finishedAt = now.toISOString();
  return step;
}

/** What a step is: its id and title, what it does, and what it expects to observe. */
export interface StepSpec {
  id: string;
  title: string;
  purpose: string;
  expected: string;
}

/** A step's opening: started at `now`, saying what it does and what it expects. */
export function openStep(spec: StepSpec, now: Date): StepEvidence {
  const step = newStep(spec.id, spec.title, spec.purpose, now);
  step.expected = spec.expected;
  return step;
}

/**
 * The opening of a step on the object's AD side (the same for Connect Sync and Cloud Sync): the step and the DN it
 * works on. Without a DN (none was matched when the contact was picked) the step is already finished as skipped and
 * `dn` is null: the caller returns it as it is.
 */
export function openAdStep(
  spec: StepSpec,
  target: { dn: string | null },
  clock: { now(): Date },
): { step: StepEvidence; dn: string | null } {
  const step = openStep(spec, clock.now());
  if (target.dn) return { step, dn: target.dn };
  step.notes.push(
    'No on-premises DN was matched when the contact was picked, so there is nothing to change or trace in AD.',
  );
  return { step: finishStep(step, 'skipped', 'No DN matched.', clock.now()), dn: null };
}

/** An optional step the admin chose to skip (started and finished now). */
export function skippedStep(id: string, title: string, purpose: string, observed: string): StepEvidence {
  const s = newStep(id, title, purpose, new Date());
  s.expected = 'Optional.';
  return finishStep(s, 'skipped', observed, new Date());
}

/** A step the admin stopped on purpose (started and finished now): neutral, not a failure. */
export function cancelledStep(id: string, title: string, purpose: string, observed: string): StepEvidence {
  const s = newStep(id, title, purpose, new Date());
  return finishStep(s, 'cancelled', observed, new Date());
}

/** A file name for the report (report.save accepts `[A-Za-z0-9._-]{1,120}`). */
export function reportName(report: EvidenceReport): string {
  const stamp = report.generatedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const id = report.object.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  return `${report.kind}-${id}-${stamp}`;
}

export function reportJson(report: EvidenceReport): string {
  return JSON.stringify(report, null, 2);
}

/** How the report names the engine route of the object. */
export const SYNC_ENGINE_LABEL: Record<string, string> = {
  cloudSync: 'Cloud Sync',
  connectSync: 'Connect Sync',
  both: 'Both engines claim it',
  none: 'No engine covers it',
  unknown: 'Could not tell',
};

/** How the report (and the summary step) names a verdict. */
export const VERDICT_LABEL: Record<Verdict, string> = {
  pass: 'Pass',
  warn: 'Warning',
  fail: 'Fail',
  info: 'Info',
  skipped: 'Skipped',
  pending: 'Not finished',
  cancelled: 'Cancelled',
};

function requestHtml(r: RequestRecord): string {
  const attempts =
    r.attempts && r.attempts.length > 1
      ? `<div class="attempts">HTTP attempts: ${r.attempts
          .map(
            (a) =>
              `${escapeHtml(a.method)} → ${a.status === 0 ? 'no response' : String(a.status)}${a.retryAfter ? ` (Retry-After ${escapeHtml(a.retryAfter)})` : ''}${a.requestId ? ` [${escapeHtml(a.requestId)}]` : ''}`,
          )
          .join('; ')}</div>`
      : '';
  return `<div class="req"><div><span class="kind">${escapeHtml(r.kind)}</span> <code>${escapeHtml(r.label)}</code></div>
${r.body !== undefined ? `<pre>${escapeHtml(r.body)}</pre>` : ''}
<div class="meta">${escapeHtml(r.at)}${r.status !== undefined ? ` · status ${escapeHtml(String(r.status))}` : ''}${r.requestId ? ` · request-id ${escapeHtml(r.requestId)}` : ''}</div>
${r.response !== undefined ? `<pre class="resp">${escapeHtml(r.response)}</pre>` : ''}${attempts}</div>`;
}

function stepHtml(s: StepEvidence, index: number): string {
  return `<section class="step ${s.verdict}">
<h2>${index + 1}. ${escapeHtml(s.title)} <span class="verdict">${VERDICT_LABEL[s.verdict]}</span></h2>
<p>${escapeHtml(s.purpose)}</p>
<table><tr><th>Started</th><td>${escapeHtml(s.startedAt)}</td><th>Finished</th><td>${escapeHtml(s.finishedAt ?? '—')}</td></tr>
<tr><th>Expected</th><td colspan="3">${escapeHtml(s.expected)}</td></tr>
<tr><th>Observed</th><td colspan="3">${escapeHtml(s.observed)}</td></tr>${
    s.proof
      ? `
<tr><th>Proof</th><td colspan="3" class="proof-${s.proof.by}">${escapeHtml(proofBy(s.proof))}: ${escapeHtml(s.proof.summary)}</td></tr>`
      : ''
  }</table>
${s.requests.map(requestHtml).join('\n')}
${s.notes.length > 0 ? `<ul>${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
</section>`;
}

/** How one proof was made: "By write", "By write as <account>" (another admin), or "By state evidence (no write)". */
export function proofBy(proof: ProofRecord): string {
  if (proof.by === 'state') return 'By state evidence (no write)';
  return proof.account ? `By write as ${proof.account}` : 'By write';
}

/** Which proofs were made by a write (and by whom, when another admin) and which by state evidence, in one line. */
export function proofSummary(steps: readonly StepEvidence[]): string {
  return steps
    .filter((s) => s.proof)
    .map((s) => `${s.title}: ${s.proof ? proofBy(s.proof).replace(/^By/, 'by') : ''}`)
    .join('; ');
}

/** Printable, self-contained HTML (inline CSS only). */
export function reportHtml(report: EvidenceReport): string {
  const title = `soa-pilot ${report.kind === 'transfer' ? 'transfer' : 'rollback'} evidence: ${report.object.displayName}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
${REPORT_CSP_META}
<style>
body{font-family:"Segoe UI",system-ui,sans-serif;font-size:14px;color:#242424;margin:24px;max-width:1000px}
h1{font-size:20px}h2{font-size:16px;margin:0 0 6px}
.summary td,.summary th{padding:2px 8px;text-align:left}
.step{border:1px solid #d1d1d1;border-left:6px solid #8a8886;border-radius:4px;padding:10px 14px;margin:12px 0;break-inside:avoid}
.step.pass{border-left-color:#107c10}.step.fail{border-left-color:#c50f1f}.step.warn{border-left-color:#bc4b09}
.verdict{font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px;background:#f0f0f0}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #e0e0e0;padding:3px 6px;text-align:left;vertical-align:top}
th{width:90px;color:#616161;font-weight:600}
code,pre{font-family:Consolas,monospace;font-size:12px}pre{background:#f5f5f5;padding:6px;white-space:pre-wrap;word-break:break-word;margin:4px 0}
.req{margin:6px 0;padding:4px 0;border-top:1px dashed #e0e0e0}.kind{font-size:11px;text-transform:uppercase;color:#616161}
.meta,.attempts{font-size:12px;color:#616161}
@media print{body{margin:0}.step{page-break-inside:avoid}}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<table class="summary">
<tr><th>Outcome</th><td>${escapeHtml(report.outcome)}</td></tr>
${proofSummary(report.steps) ? `<tr><th>Proofs</th><td>${escapeHtml(proofSummary(report.steps))}</td></tr>` : ''}
<tr><th>Object</th><td>${escapeHtml(report.object.displayName)} (contact ${escapeHtml(report.object.id)})</td></tr>
<tr><th>On-prem DN</th><td>${escapeHtml(report.object.distinguishedName ?? 'not matched')}</td></tr>
<tr><th>Tenant</th><td>${escapeHtml(report.tenant)}</td></tr>
<tr><th>Admin</th><td>${escapeHtml(report.admin ?? 'unknown')}</td></tr>
<tr><th>Generated</th><td>${escapeHtml(report.generatedAt)} by soa-pilot ${escapeHtml(report.app.version)} (${escapeHtml(report.app.transport)}${report.app.lab ? ', lab' : ''})</td></tr>
<tr><th>Journal</th><td>${report.journal.opIds.map(escapeHtml).join(', ') || 'no writes'}</td></tr>
${report.syncEngine ? `<tr><th>Sync engine</th><td>${escapeHtml(SYNC_ENGINE_LABEL[report.syncEngine.engine] ?? report.syncEngine.engine)}: ${escapeHtml(report.syncEngine.basis.join(' '))}</td></tr>` : ''}
${report.provisioningLog ? `<tr><th>Provisioning log</th><td data-evidence="provisioning-log">${escapeHtml(report.provisioningLog.statement)}</td></tr>` : ''}
</table>
${report.steps.map(stepHtml).join('\n')}
</body></html>
`;
}

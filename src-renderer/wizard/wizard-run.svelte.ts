/**
 * The state of one guided transfer (or rollback) as the wizard walks it: the chosen contact, the
 * evidence of each step, the background audit poll, and the report paths.
 */
import type { StoredJournalRecord, TraceResult } from '@contract';
import type { OrgContact } from '../lib/graph/soa-graph';
import type { PreflightReport } from '../lib/soa/preflight';
import { reportHtml, reportJson, reportName, type EvidenceReport, type StepEvidence } from '../lib/soa/evidence';
import { classify, type Classification } from '../lib/soa/state';
import {
  pollAudit,
  readSoa,
  soaReading,
  type AuditPollState,
  type ContactTarget,
  type SoaRead,
} from '../lib/soa/verify';
import type { Session } from './session.svelte';
import type { AdProbe } from '../lib/soa/transfer';

const nowIso = (): string => new Date(Date.now()).toISOString();

export interface StepDef {
  id: string;
  title: string;
}

export class WizardRun {
  readonly runId = crypto.randomUUID();
  readonly startedAt = nowIso();
  index = $state(0);
  visited = $state(0);
  preflight = $state<PreflightReport | undefined>();
  contact = $state<OrgContact | undefined>();
  target = $state<ContactTarget | undefined>();
  initial = $state<SoaRead | undefined>();
  afterTransfer = $state<SoaRead | undefined>();
  classification = $state<Classification | undefined>();
  trace = $state<TraceResult | null>(null);
  evidence = $state<StepEvidence[]>([]);
  audit = $state<AuditPollState | undefined>();
  auditSince = $state<string | undefined>();
  opIds = $state<string[]>([]);
  reportPaths = $state<{ html: string; json: string } | undefined>();
  /** The AD description probe of step 9 (kept so the restore stays available). */
  adProbe = $state<AdProbe | null>(null);
  private auditAbort: AbortController | undefined;

  constructor(
    readonly session: Session,
    readonly kind: 'transfer' | 'rollback',
    readonly steps: StepDef[],
  ) {}

  get current(): StepDef | undefined {
    return this.steps[this.index];
  }

  next(): void {
    if (this.index < this.steps.length - 1) {
      this.index++;
      this.visited = Math.max(this.visited, this.index);
    }
  }

  goto(i: number): void {
    if (i >= 0 && i <= this.visited) this.index = i;
  }

  /** Keep one evidence entry per step id (a re-run replaces it). */
  record(step: StepEvidence): void {
    const i = this.evidence.findIndex((s) => s.id === step.id);
    if (i >= 0) this.evidence[i] = step;
    else this.evidence.push(step);
  }

  evidenceFor(id: string): StepEvidence | undefined {
    return this.evidence.find((s) => s.id === id);
  }

  /** Whether a step already ran: true (passed or warned), false (failed), undefined (not run). */
  passed(id: string): boolean | undefined {
    const v = this.evidenceFor(id)?.verdict;
    if (v === undefined || v === 'pending') return undefined;
    return v !== 'fail';
  }

  /** The outcome of a journaled write step, reconstructed from its evidence. */
  writeOutcome(id: string): 'done' | 'failed' | 'unknown' | undefined {
    const e = this.evidenceFor(id);
    if (!e || e.verdict === 'pending') return undefined;
    if (e.verdict === 'fail') return 'failed';
    return e.observed.startsWith('Outcome unknown') ? 'unknown' : 'done';
  }

  addOp(opId: string): void {
    if (!this.opIds.includes(opId)) this.opIds.push(opId);
  }

  /** Re-read the object and classify it (journal + last trace disambiguate). */
  async refreshState(): Promise<void> {
    if (!this.target) return;
    const ports = this.session.ports();
    const read = await readSoa(ports, this.target.id);
    const j = await this.session.client.call('journal.read', { limit: 5000 });
    const journal: StoredJournalRecord[] = j.ok ? j.value.records : [];
    this.classification = classify({
      ...soaReading(read),
      objectId: this.target.id,
      journal,
      trace: this.trace,
    });
  }

  /** Start (or restart) the audit poll in the background; the admin may move on meanwhile. */
  startAudit(action: 'transfer' | 'rollback', since: string): void {
    if (!this.target) return;
    this.auditAbort?.abort();
    const ctl = new AbortController();
    this.auditAbort = ctl;
    this.auditSince = since;
    const targetId = this.target.id;
    void pollAudit(
      this.session.ports(),
      { targetId, since, action },
      { signal: ctl.signal, onTick: (s) => (this.audit = s) },
    );
  }

  stopAudit(): void {
    this.auditAbort?.abort();
  }

  get auditRunning(): boolean {
    return this.audit?.status === 'polling';
  }

  buildReport(outcome: string): EvidenceReport {
    const info = this.session.info;
    const t = this.target;
    return {
      schema: 'soa-pilot.evidence/1',
      kind: this.kind,
      generatedAt: nowIso(),
      app: { version: info?.version ?? '?', transport: info?.transport ?? '?', lab: info?.lab ?? false },
      tenant: info?.tenant ?? this.session.account?.tenantId ?? 'unknown',
      admin: this.session.account?.username ?? null,
      object: {
        type: 'contact',
        id: t?.id ?? '',
        displayName: t?.displayName ?? '',
        distinguishedName: t?.dn ?? null,
        mail: t?.mail ?? null,
      },
      outcome,
      steps: $state.snapshot(this.evidence) as StepEvidence[],
      journal: { opIds: [...this.opIds] },
    };
  }

  async saveReport(outcome: string): Promise<{ html: string; json: string }> {
    const report = this.buildReport(outcome);
    const name = reportName(report);
    const html = await this.session.client.invoke('report.save', { name, format: 'html', content: reportHtml(report) });
    const json = await this.session.client.invoke('report.save', { name, format: 'json', content: reportJson(report) });
    this.reportPaths = { html: html.path, json: json.path };
    return this.reportPaths;
  }
}

/**
 * The state of one guided transfer (or rollback) as the wizard walks it: the chosen contact, the
 * evidence of each step, the background audit poll, and the report paths.
 */
import type { SavedWizardRun, StoredJournalRecord, TraceResult, WizardRunSnapshot } from '@contract';
import type { OrgContact } from '../lib/graph/soa-graph';
import type { PreflightReport } from '../lib/soa/preflight';
import { reportHtml, reportJson, reportName, type EvidenceReport, type StepEvidence } from '../lib/soa/evidence';
import { classify, type Classification } from '../lib/soa/state';
import {
  pollAudit,
  readSoa,
  soaReading,
  traceObject,
  type AuditPollState,
  type ContactTarget,
  type SoaRead,
} from '../lib/soa/verify';
import { recoverSoaWrite } from '../lib/soa/resume';
import { stepVerifyRolledBack } from '../lib/soa/rollback';
import type { Session } from './session.svelte';
import type { AdProbe } from '../lib/soa/transfer';
import { cloudSyncTuningFrom, stepChooseEngine, type CloudSyncContext } from '../lib/soa/cloud-sync-proof';
import type { EngineRoute } from '../lib/soa/sync-engine';
import { provisioningEvidence } from '../lib/soa/provisioning-evidence';
import { restoredEngine, savedEngineOf } from './saved-engine';

const nowIso = (): string => new Date(Date.now()).toISOString();

export interface StepDef {
  id: string;
  title: string;
  /** The title when Cloud Sync syncs the object and the step proves something else there (see `titleOf`). */
  cloudSyncTitle?: string;
}

/** Where a resumed run went on, and what the live state read showed then. */
export interface ResumeNote {
  stepNumber: number;
  stepTitle: string;
  state: string;
}

export class WizardRun {
  readonly runId: string;
  readonly startedAt: string;
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
  /** Saving the run after each step: 'saved' once the newest snapshot is on disk. */
  saveState = $state<'idle' | 'saving' | 'saved' | 'failed'>('idle');
  saveError = $state<string | undefined>();
  resumed = $state<ResumeNote | undefined>();
  /** Which engine syncs the chosen object (the engine step); undefined until detected. */
  engine = $state<EngineRoute | undefined>();
  /** The object's Cloud Sync configuration, rule and request windows, when Cloud Sync syncs it. */
  cloudSync = $state.raw<CloudSyncContext | null>(null);
  /** Whether the server probe showed the Cloud Sync provisioning agent (null: not probed in this run). */
  cloudSyncAgentOnServer: boolean | null = null;
  private engineRun: Promise<EngineRoute | undefined> | undefined;
  private auditAbort: AbortController | undefined;
  private lastSaved = '';
  private saving: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly session: Session,
    readonly kind: 'transfer' | 'rollback',
    readonly steps: StepDef[],
    saved?: SavedWizardRun,
  ) {
    this.runId = saved?.runId ?? crypto.randomUUID();
    this.startedAt = saved?.startedAt ?? nowIso();
    if (saved) {
      this.index = Math.min(saved.index, steps.length - 1);
      this.visited = Math.max(this.index, Math.min(saved.visited, steps.length - 1));
      this.evidence = saved.evidence as StepEvidence[];
      this.opIds = [...saved.opIds];
      this.target = saved.object
        ? { id: saved.object.id, displayName: saved.object.displayName, mail: saved.object.mail, dn: saved.object.dn }
        : undefined;
      this.auditSince = saved.auditSince;
      this.adProbe = saved.adProbe ?? null;
      // the engine the pick step detected (with its evidence); a run saved without it detects it again on resume
      const engine = restoredEngine(saved, session.cloudSyncWindows(), cloudSyncTuningFrom(session.tuning));
      if (engine) {
        this.engine = engine.route;
        this.cloudSync = engine.context;
      }
    }
  }

  /** What is saved after each step: the object, where the admin is, the evidence so far. */
  snapshot(): WizardRunSnapshot {
    const t = this.target;
    const step = this.current;
    return {
      runId: this.runId,
      kind: this.kind,
      startedAt: this.startedAt,
      index: this.index,
      visited: this.visited,
      stepId: step?.id ?? 'preflight',
      stepTitle: step ? this.titleOf(step) : '',
      object: t ? { type: 'contact', id: t.id, displayName: t.displayName, mail: t.mail, dn: t.dn } : null,
      evidence: $state.snapshot(this.evidence) as WizardRunSnapshot['evidence'],
      opIds: [...this.opIds],
      ...(this.auditSince ? { auditSince: this.auditSince } : {}),
      adProbe: this.adProbe ? { ...this.adProbe } : null,
      ...(this.engine ? { engine: savedEngineOf($state.snapshot(this.engine), this.cloudSync) } : {}),
    };
  }

  /** Save the run if it changed (one save at a time; the newest snapshot wins). */
  persist(): Promise<void> {
    if (this.closed || this.evidence.length === 0) return this.saving;
    const snap = this.snapshot();
    const text = JSON.stringify(snap);
    if (text === this.lastSaved) return this.saving;
    this.lastSaved = text;
    this.saveState = 'saving';
    this.saving = this.saving.then(async () => {
      if (this.closed || text !== this.lastSaved) return;
      const r = await this.session.client.call('run.save', { run: snap });
      if (text !== this.lastSaved) return;
      if (r.ok) {
        this.saveState = 'saved';
        this.saveError = undefined;
      } else {
        this.saveState = 'failed';
        this.saveError = r.error.message;
      }
    });
    return this.saving;
  }

  /** No longer offer this run for resume: its report is saved, or the admin started over. */
  async close(status: 'finished' | 'abandoned'): Promise<void> {
    await this.saving;
    if (this.closed) return;
    this.closed = true;
    if (this.lastSaved) await this.session.client.call('run.close', { runId: this.runId, status });
    await this.session.refreshOpenRuns();
  }

  /**
   * Before a saved run goes on: take its SOA write from the journal (reconciled by reading if the
   * app died between intent and result), read the object's state and trace it again, and restart
   * the audit search. The steps render only after this.
   */
  async resume(): Promise<void> {
    const target = this.target;
    const ports = this.session.ports();
    if (target) {
      const main = this.evidenceFor(this.kind);
      if (!main || main.verdict === 'pending' || this.writeOutcome(this.kind) === 'unknown') {
        const j = await this.session.client.call('journal.read', { runId: this.runId, limit: 1000 });
        const records = j.ok ? j.value.records : [];
        const rec = await recoverSoaWrite(ports, target, this.kind, records, this.runId);
        if (rec) {
          this.record(rec.step);
          if (rec.opId) this.addOp(rec.opId);
          if (this.kind === 'rollback' && rec.outcome === 'done' && !this.evidenceFor('verify-rolledback')) {
            this.record((await stepVerifyRolledBack(ports, target)).step);
          }
        }
      }
      if (target.dn) this.trace = (await traceObject(ports, target.dn)).trace;
      const read = await this.refreshState();
      if (read) this.initial = read;
      if (this.auditSince && this.writeOutcome(this.kind) === 'done') this.startAudit(this.kind, this.auditSince);
    }
    this.resumed = {
      stepNumber: this.index + 1,
      stepTitle: this.current ? this.titleOf(this.current) : '',
      state: this.classification?.label ?? 'no object chosen yet',
    };
    await this.session.refreshPending();
  }

  /**
   * An object this wizard's write already reached (transferred, or rolled back and waiting for the
   * sync client) goes on from the step after the write: the write step records what the journal
   * and a read show.
   */
  async adoptWritten(): Promise<void> {
    const target = this.target;
    if (!target) return;
    const ports = this.session.ports();
    const j = await this.session.client.call('journal.read', { limit: 5000 });
    const rec = await recoverSoaWrite(ports, target, this.kind, j.ok ? j.value.records : []);
    if (!rec || rec.outcome !== 'done') return;
    this.record(rec.step);
    if (rec.opId) this.addOp(rec.opId);
    if (this.kind === 'rollback') this.record((await stepVerifyRolledBack(ports, target)).step);
    const at = this.steps.findIndex((s) => s.id === this.kind);
    this.index = at;
    this.visited = Math.max(this.visited, at);
    this.next();
  }

  /** True when the chosen object is synced by Cloud Sync: the Cloud Sync trigger and proofs replace the cycle/trace steps. */
  get onCloudSync(): boolean {
    return this.engine?.engine === 'cloudSync' && this.cloudSync !== null;
  }

  /** Forget the engine (another object or DN was chosen). */
  resetEngine(): void {
    this.engine = undefined;
    this.cloudSync = null;
    this.engineRun = undefined;
  }

  /**
   * Detect the chosen object's engine once (the engine step's evidence is recorded). It is saved with the run, so a
   * resumed run goes on with it; only a run saved without it detects it again when a step needs it. Cloud Sync is asked (with its own permissions) only when it may sync the object.
   */
  ensureEngine(): Promise<EngineRoute | undefined> {
    const target = this.target;
    if (!target?.dn) return Promise.resolve(undefined);
    if (this.engine) return Promise.resolve(this.engine);
    this.engineRun ??= (async () => {
      const ports = this.session.ports();
      const r = await stepChooseEngine(ports, target, {
        cloudSyncAgentOnServer: this.cloudSyncAgentOnServer,
        tuning: cloudSyncTuningFrom(ports.tuning),
      });
      if (r.context) r.context.windows = this.session.cloudSyncWindows();
      // the admin may have chosen another object meanwhile
      if (this.target?.id !== target.id || this.target.dn !== target.dn) return undefined;
      this.record(r.step);
      this.cloudSync = r.context;
      this.engine = r.route;
      return r.route;
    })().finally(() => {
      this.engineRun = undefined;
    });
    return this.engineRun;
  }

  /** A step's title for this run's object: on Cloud Sync a step named for what Cloud Sync shows. */
  titleOf(step: StepDef): string {
    return this.onCloudSync && step.cloudSyncTitle ? step.cloudSyncTitle : step.title;
  }

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
  async refreshState(): Promise<SoaRead | undefined> {
    if (!this.target) return undefined;
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
    return read;
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
    const steps = $state.snapshot(this.evidence) as StepEvidence[];
    const provisioningLog = provisioningEvidence(steps);
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
      steps,
      journal: { opIds: [...this.opIds] },
      ...(this.engine ? { syncEngine: { engine: this.engine.engine, basis: [...this.engine.basis] } } : {}),
      ...(provisioningLog ? { provisioningLog } : {}),
    };
  }

  async saveReport(outcome: string): Promise<{ html: string; json: string }> {
    const report = this.buildReport(outcome);
    const name = reportName(report);
    const html = await this.session.client.invoke('report.save', { name, format: 'html', content: reportHtml(report) });
    const json = await this.session.client.invoke('report.save', { name, format: 'json', content: reportJson(report) });
    this.reportPaths = { html: html.path, json: json.path };
    await this.close('finished');
    return this.reportPaths;
  }
}

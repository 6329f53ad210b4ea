/**
 * State and actions of the bulk view: selection → dry-run plan → saved plan → run → report. The evidence gathered
 * after the writes (server follow-up, sweep, audit log) is kept by `run-evidence.svelte.ts`. All Graph, journal and
 * server work goes through the bulk engine (`lib/soa/bulk`) over the ports in `bulk-ports.ts`; this class only
 * orders it and keeps the state.
 */
import type { AppInfo } from '@contract';
import type { SoaClient } from '../lib/bridge';
import { saveReportInParts } from '../lib/report-parts';
import {
  csvTooLarge,
  importCsv,
  overrideCouldNotCheck,
  planFileParts,
  planCsv,
  planItems,
  runBulk,
  RunControl,
  saveSelection,
  selectByFilter,
  reverifyPending,
  restoreRunEvidence,
  runEndRecords,
  type BulkAction,
  type BulkObjectType,
  type CsvImportResult,
  type ItemResult,
  type Plan,
  type RunProgress,
  type RunSummary,
  type SelectedObject,
  type SelectionFilter,
} from '../lib/soa/bulk';
import { DOCUMENTED_LIMITS, type WriteLimits } from '../lib/soa/bulk/pacer';
import { TYPE_LABEL, type Problem, type SelectionMode } from './bulk-labels';
import { createBulkPorts, describeError, type BulkPorts } from './bulk-ports';
import { makeDryRunPlan } from './dry-run-plan';
import { saveRunReports } from './run-reports';
import {
  emptyFilterProblem,
  filterLabel,
  objectsOfRun,
  savedSelectionObjects,
  transferRunsInJournal,
} from './selection-sources';
import { RunEvidence } from './run-evidence.svelte';
import {
  listRuns,
  newRunId,
  planOfRun,
  rememberRunStart,
  resumeCandidates,
  stamp,
  setRunStatus,
  storedPlan,
  followUpCandidates,
  setRunFollowUp,
  setShownRun,
  shownRun,
  type JournalRun,
  type ResumeCandidate,
  type RunRecord,
} from './run-store';

export { ACTION_LABEL, TYPE_LABEL, type Problem, type SelectionMode } from './bulk-labels';

/**
 * Large values (the selection, the plan, the run's summary and progress) are `$state.raw`: always replaced whole,
 * never changed in place, so Svelte does not wrap tens of thousands of rows in deep proxies.
 */
export class BulkModel {
  objectType = $state<BulkObjectType>('contact');
  kind = $state<BulkAction>('transfer');
  mode = $state<SelectionMode>('filter');
  filter = $state<SelectionFilter>({ namePrefix: '', mailDomain: '', company: '', department: '' });

  busy = $state<string | undefined>();
  problem = $state<Problem | undefined>();
  notice = $state<string | undefined>();

  selected = $state.raw<SelectedObject[] | undefined>();
  selectionLabel = $state('');
  selectionSavedPath = $state<string | undefined>();
  csv = $state<CsvImportResult | undefined>();
  csvFileName = $state('');
  runsInJournal = $state<JournalRun[]>([]);
  journalRunId = $state('');

  plan = $state.raw<Plan | undefined>();
  /** `plan`'s saved text in pieces (`planFileParts`; their concatenation is the file), saved in parts as they are */
  planParts = $state.raw<readonly string[] | undefined>();
  planPath = $state<string | undefined>();
  /** The save of `planParts` under way or done (not reactive: only `savePlan` reads it). */
  private planSave: { parts: readonly string[]; path: Promise<string | undefined> } | undefined;
  planCsvPath = $state<string | undefined>();
  planCsvUrl = $state<string | undefined>();

  runId = $state<string | undefined>();
  progress = $state.raw<RunProgress | undefined>();
  recent = $state.raw<ItemResult[]>([]);
  summary = $state.raw<RunSummary | undefined>();
  running = $state(false);
  paused = $state(false);
  cancelRequested = $state(false);
  runHtmlPath = $state<string | undefined>();
  runCsvPath = $state<string | undefined>();
  runCsvUrl = $state<string | undefined>();

  /** the evidence of the run on screen gathered after its writes (server follow-up, sweep, audit log) */
  readonly evidence: RunEvidence;

  resumable = $state<ResumeCandidate[]>([]);
  /** finished runs whose objects are not all confirmed on the server ("check pending objects") */
  pendingFollowUps = $state<RunRecord[]>([]);

  private ports: BulkPorts;
  private control: RunControl | undefined;

  constructor(
    readonly client: SoaClient,
    readonly info: AppInfo,
  ) {
    this.ports = createBulkPorts(client, info, {
      onProgress: (m) => (this.evidence.syncMessage = m),
      signal: () => this.evidence.signal,
    });
    this.evidence = new RunEvidence(client, this.ports, {
      runId: () => this.runId,
      summary: () => this.summary,
      plan: () => this.plan,
      kind: () => this.kind,
      objectType: () => this.objectType,
      task: (label, title, fn) => this.task(label, title, fn),
      setBusy: (label) => (this.busy = label),
      followUpEnded: () => this.noteFollowUp(),
    });
  }

  get writeCount(): number {
    return this.plan ? this.plan.counts[this.plan.kind] : 0;
  }

  /** The phrase the admin types before the run: e.g. `TRANSFER 25`. */
  get confirmPhrase(): string {
    return `${this.kind === 'transfer' ? 'TRANSFER' : 'ROLLBACK'} ${this.writeCount}`;
  }

  get selectionBlocked(): boolean {
    return this.mode === 'csv' && this.csv !== undefined && !this.csv.ok;
  }

  // ---- setup --------------------------------------------------------------------------------------

  setType(t: BulkObjectType): void {
    this.objectType = t;
    // groups have no company or department in Graph
    if (t === 'group') this.filter = { ...this.filter, company: '', department: '' };
    this.clearSelection();
  }

  setKind(k: BulkAction): void {
    this.kind = k;
    if (k === 'transfer' && this.mode === 'journal') this.mode = 'filter';
    this.clearSelection();
  }

  setMode(m: SelectionMode): void {
    this.mode = m;
    this.clearSelection();
    if (m === 'journal') void this.loadJournalRuns();
  }

  clearSelection(): void {
    this.selected = undefined;
    this.selectionLabel = '';
    this.selectionSavedPath = undefined;
    this.csv = undefined;
    this.csvFileName = '';
    this.problem = undefined;
    this.clearPlan();
  }

  clearPlan(): void {
    if (!this.running) this.clearRun();
    this.plan = undefined;
    this.planParts = undefined;
    this.planPath = undefined;
    this.planCsvPath = undefined;
    if (this.planCsvUrl) URL.revokeObjectURL(this.planCsvUrl);
    this.planCsvUrl = undefined;
  }

  private async task<T>(label: string, title: string, fn: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    this.problem = undefined;
    try {
      return await fn();
    } catch (e) {
      this.problem = { title, ...describeError(e) };
      return undefined;
    } finally {
      this.busy = undefined;
    }
  }

  /** Forget the finished run shown on screen (its journal records and saved reports stay). */
  clearRun(): void {
    this.runId = undefined;
    this.progress = undefined;
    this.summary = undefined;
    this.recent = [];
    this.runHtmlPath = undefined;
    this.runCsvPath = undefined;
    if (this.runCsvUrl) URL.revokeObjectURL(this.runCsvUrl);
    this.runCsvUrl = undefined;
    this.evidence.clear();
    setShownRun(undefined);
  }

  private account: string | undefined;

  /** A different admin signed in: the selection and plan were made under the previous one's scope. */
  forAccount(homeAccountId: string): void {
    if (this.account !== undefined && this.account !== homeAccountId && !this.running) {
      this.startOver();
      this.resumable = [];
    }
    this.account = homeAccountId;
  }

  /** Back to an empty selection for the next run. */
  startOver(): void {
    if (this.running) return;
    this.clearSelection();
    this.notice = undefined;
  }

  // ---- selection ----------------------------------------------------------------------------------

  async previewFilter(): Promise<void> {
    const filter = $state.snapshot(this.filter);
    const problem = emptyFilterProblem(filter);
    if (problem) {
      this.problem = problem;
      return;
    }
    this.clearPlan();
    const list = await this.task('Selecting…', 'The selection could not be read.', () =>
      selectByFilter(this.ports.graph, this.objectType, filter, { maxObjects: 100_000 }),
    );
    if (!list) return;
    this.selected = list;
    this.selectionLabel = filterLabel(filter);
  }

  async importCsvFile(file: File): Promise<void> {
    this.clearSelection();
    this.csvFileName = file.name;
    const tooLarge = csvTooLarge(file.size);
    if (tooLarge) {
      this.csv = tooLarge;
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const r = await this.task('Checking every row…', 'The CSV could not be checked.', () =>
      importCsv(bytes, { objectType: this.objectType, graph: this.ports.graph }),
    );
    if (!r) return;
    this.csv = r;
    if (r.ok) {
      this.selected = r.objects;
      this.selectionLabel = `CSV ${file.name} (${r.rows} rows)`;
    }
  }

  async loadSavedSelectionFile(file: File): Promise<void> {
    this.clearSelection();
    try {
      const r = savedSelectionObjects(await file.text(), file.name, this.objectType);
      if ('problem' in r) {
        this.problem = r.problem;
        return;
      }
      this.selected = r.objects;
      this.selectionLabel = r.label;
    } catch (e) {
      this.problem = { title: 'The selection file could not be used.', ...describeError(e) };
    }
  }

  async saveCurrentSelection(): Promise<void> {
    if (!this.selected) return;
    const content = JSON.stringify(saveSelection(this.objectType, this.selected, this.selectionLabel), null, 2);
    const name = `selection-${this.objectType}-${stamp()}`;
    const r = await saveReportInParts(this.client, name, 'json', [content]);
    if (r.ok) this.selectionSavedPath = r.value.path;
    else this.problem = { title: 'The selection was not saved.', message: r.error.message, fix: 'Try again.' };
  }

  async loadJournalRuns(): Promise<void> {
    try {
      this.runsInJournal = await transferRunsInJournal(this.client);
    } catch (e) {
      this.problem = {
        title: 'The journal could not be read.',
        message: e instanceof Error ? e.message : String(e),
        fix: 'Open the Journal view to check it, or select objects by filter or CSV instead.',
      };
      return;
    }
    if (!this.runsInJournal.some((x) => x.runId === this.journalRunId))
      this.journalRunId = this.runsInJournal[0]?.runId ?? '';
  }

  async selectFromJournalRun(): Promise<void> {
    const runId = this.journalRunId;
    if (!runId) return;
    this.clearPlan();
    let objects: SelectedObject[];
    try {
      objects = await objectsOfRun(this.ports.journal, runId, this.objectType);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.problem = { title: 'The run could not be read.', message, fix: 'Try again.' };
      return;
    }
    if (objects.length === 0) {
      this.problem = {
        title: `Run ${runId} transferred no ${TYPE_LABEL[this.objectType]}.`,
        message: 'Nothing in that run was transferred and verified for this object type.',
        fix: 'Pick another run or another object type.',
      };
      return;
    }
    this.selected = objects;
    this.selectionLabel = `journal run ${runId}`;
  }

  // ---- plan -----------------------------------------------------------------------------------------

  async makePlan(): Promise<void> {
    const objects = this.selected;
    if (!objects || objects.length === 0) return;
    this.clearPlan();
    const plan = await this.task('Planning (reads only)…', 'The dry-run plan could not be built.', () =>
      makeDryRunPlan({
        kind: this.kind,
        objectType: this.objectType,
        // `selected` is $state.raw (plain objects): a snapshot would deep-copy every row in one long task
        objects,
        graph: this.ports.graph,
        bridge: this.client,
      }),
    );
    if (!plan) return;
    const parts = await planFileParts(plan);
    this.plan = plan;
    this.planParts = parts;
    // saved at once, in the background, while the admin reads the plan: the plan is evidence of what was meant to
    // happen, and a run that starts later does not wait for tens of megabytes to reach the disk
    void this.savePlan();
  }

  /**
   * Override a "could not check" block for one object: the override is journaled first (with the admin's reason),
   * then the entry rolls back like the others and the plan has to be saved again. Returns whether it was recorded.
   */
  async overrideCouldNotCheck(objectId: string, reason: string): Promise<boolean> {
    const plan = this.plan;
    if (!plan || this.running) return false;
    const entry = plan.entries.find((e) => e.objectId === objectId);
    const next = await this.task('Journaling the override…', 'The override was not recorded.', () =>
      overrideCouldNotCheck(plan, objectId, reason, this.ports.journal, {
        opId: `${plan.planId}/override/${objectId}`.slice(0, 100),
      }),
    );
    if (!next) return false;
    const parts = await planFileParts(next);
    this.plan = next;
    this.planParts = parts;
    // the run executes exactly the saved plan: the overridden plan is saved anew before the run
    this.planPath = undefined;
    this.planCsvPath = undefined;
    if (this.planCsvUrl) URL.revokeObjectURL(this.planCsvUrl);
    this.planCsvUrl = undefined;
    this.notice = `Override journaled: ${entry?.displayName ?? objectId} will be rolled back although its cloud references were not checked.`;
    return true;
  }

  /**
   * Save the plan text as it is now. A save of the same text that is under way or done is not started again (its
   * answer is shared); a save whose plan changed meanwhile (an override) leaves `planPath` alone and answers
   * undefined: its file is not what would run.
   */
  savePlan(): Promise<string | undefined> {
    const plan = this.plan;
    const parts = this.planParts;
    if (!plan || !parts) return Promise.resolve(undefined);
    if (this.planSave?.parts === parts) return this.planSave.path;
    const save = {
      parts,
      path: (async (): Promise<string | undefined> => {
        // in parts: one call of the whole text (25 MB at 50,000 objects) would hold the page for about half a
        // second; the path comes back only once main has fsynced the whole file under its name
        const r = await saveReportInParts(this.client, `bulk-plan-${plan.planId}`, 'json', parts);
        if (this.planParts !== parts) return undefined;
        if (!r.ok) {
          if (this.planSave?.parts === parts) this.planSave = undefined; // saving again tries again
          this.problem = {
            title: 'The plan was not saved.',
            message: r.error.message,
            fix: 'Check the free space of the app data folder, then save again.',
          };
          return undefined;
        }
        this.planPath = r.value.path;
        return r.value.path;
      })(),
    };
    this.planSave = save;
    return save.path;
  }

  async exportPlanCsv(): Promise<void> {
    if (!this.plan) return;
    const content = planCsv(this.plan);
    if (this.planCsvUrl) URL.revokeObjectURL(this.planCsvUrl);
    this.planCsvUrl = URL.createObjectURL(new Blob([content], { type: 'text/csv' }));
    const r = await saveReportInParts(this.client, `bulk-plan-${this.plan.planId}`, 'csv', [content]);
    if (r.ok) this.planCsvPath = r.value.path;
    else
      this.problem = {
        title: 'The CSV was not saved in the app data folder.',
        message: r.error.message,
        fix: 'Use the download link instead, or try again.',
      };
  }

  // ---- run ------------------------------------------------------------------------------------------

  /** Save the plan (if not yet saved), then run exactly the saved text. */
  async execute(): Promise<void> {
    if (!this.plan || !this.planParts || this.running) return;
    if (!this.planPath && !(await this.savePlan())) return;
    const runId = newRunId(this.kind);
    // `planParts` is exactly `plan` serialised (`planFileParts`) or `plan` is exactly `planParts` parsed (a resumed
    // run): both are only ever replaced together, so running `plan` runs the saved text, without parsing tens of
    // megabytes again in one piece
    const plan = this.plan;
    rememberRunStart(runId, plan, this.planParts, this.planPath);
    await this.runPlan(runId, plan);
  }

  private async runPlan(runId: string, plan: Plan): Promise<void> {
    this.clearRun();
    this.runId = runId;
    // the run being (re)started is no longer a candidate to resume; the journal is read again when it ends
    this.resumable = this.resumable.filter((r) => r.runId !== runId);
    this.running = true;
    this.paused = false;
    this.cancelRequested = false;
    this.problem = undefined;
    const control = new RunControl();
    this.control = control;
    try {
      const summary = await runBulk({
        runId,
        items: planItems(plan),
        graph: this.ports.graph,
        journal: this.ports.journal,
        control,
        onProgress: (p) => (this.progress = p),
        onItem: (r) => (this.recent = [r, ...this.recent].slice(0, 8)),
        ...writeLimitOverride(),
      });
      this.summary = summary;
      this.progress = summary.progress;
      setRunStatus(runId, summary.cancelled ? 'cancelled' : 'finished');
      setShownRun(runId);
      await this.evidence.journal(await runEndRecords(summary));
      this.noteFollowUp();
    } catch (e) {
      this.problem = {
        title: `Run ${runId} stopped.`,
        ...describeError(e),
        fix: `Nothing is lost: every write was journaled first. Fix the cause, then use "Resume run ${runId}" at the top.`,
      };
    } finally {
      this.running = false;
      this.control = undefined;
    }
    await this.refreshResumable();
  }

  pause(): void {
    this.control?.pause();
    this.paused = true;
  }
  resume(): void {
    this.control?.resume();
    this.paused = false;
  }
  cancel(): void {
    this.control?.resume();
    this.control?.cancel();
    this.paused = false;
    this.cancelRequested = true;
  }

  // ---- resume ---------------------------------------------------------------------------------------

  async refreshResumable(): Promise<void> {
    const p = await this.client.call('journal.pending', {});
    this.resumable = resumeCandidates(p.ok ? p.value.pending : [], this.running ? this.runId : undefined);
    this.pendingFollowUps = followUpCandidates();
    // after a reload or restart: the run that was on screen comes back from the journal, as it was
    const shown = shownRun();
    if (shown && !this.running && !this.summary && !this.selected && !this.plan && !this.busy)
      await this.openRun(shown);
  }

  /**
   * Show a finished run's summary and evidence as the journal holds them (its final results, each
   * follow-up cycle, each audit check). Nothing is re-read here: what is shown was observed and journaled.
   */
  async openRun(runId: string): Promise<boolean> {
    if (this.running) return false;
    const records = await this.task('Reading the run from the journal…', `Run ${runId} could not be read.`, () =>
      this.ports.journal.readRun(runId),
    );
    if (!records) return false;
    const r = restoreRunEvidence(runId, records);
    if (!r.summary) {
      if (shownRun() === runId) setShownRun(undefined);
      this.problem = {
        title: `The journal holds no final results of run ${runId}.`,
        message: 'The run never finished, or it finished before this version journaled its results.',
        fix: 'Resume the run if it is offered above; otherwise plan its objects again (verified objects are skipped).',
      };
      return false;
    }
    this.clearSelection();
    this.notice = undefined;
    // the plan (for the AD lookups by mail and the report), when this profile remembers it
    const found = planOfRun(runId);
    const plan = 'plan' in found ? found.plan : undefined;
    const first = r.summary.items[0];
    this.kind = plan?.kind ?? first?.action ?? this.kind;
    this.objectType = plan?.objectType ?? first?.objectType ?? this.objectType;
    if ('plan' in found) {
      this.plan = found.plan;
      this.planParts = [found.text];
      this.planPath = listRuns().find((x) => x.runId === runId)?.planFile ?? 'loaded';
    }
    this.selectionLabel = `run ${runId} (from the journal)`;
    this.runId = runId;
    this.summary = r.summary;
    this.progress = r.summary.progress;
    this.evidence.restore(r);
    setShownRun(runId);
    return true;
  }

  /**
   * "Check pending objects": the run's objects not yet confirmed on the server are checked again against
   * the live state (sync cycles, server traces and, for a rollback, the Entra ID read-back), each cycle
   * journaled; the audit log is read again for entries not yet visible.
   */
  async checkPending(runId: string): Promise<void> {
    if (this.summary?.runId !== runId && !(await this.openRun(runId))) return;
    await this.evidence.syncAndSweep();
    const levels = this.evidence.levels;
    if (levels?.audit && levels.audit.found < levels.audit.checked) await this.evidence.checkAudit();
  }

  dismissFollowUp(runId: string): void {
    setRunStatus(runId, 'dismissed');
    this.pendingFollowUps = followUpCandidates();
  }

  /** Remember whether the run on screen still has objects pending on the server (the resume panel offers them). */
  private noteFollowUp(): void {
    const s = this.summary;
    if (!s || s.cancelled) return;
    setRunFollowUp(s.runId, this.evidence.levels?.complete === true);
    this.pendingFollowUps = followUpCandidates();
  }

  /** Resume with the plan remembered for this run, or with a plan file the admin picks. */
  async resumeRun(runId: string, planFile?: File): Promise<void> {
    const found = planOfRun(runId, planFile ? await planFile.text() : undefined);
    if ('problem' in found) {
      this.problem = found.problem;
      return;
    }
    const { plan, text } = found;
    this.clearSelection();
    this.notice = undefined;
    this.objectType = plan.objectType;
    this.kind = plan.kind;
    this.plan = plan;
    this.planParts = [text];
    this.selectionLabel = `resumed run ${runId}`;
    this.planPath = rememberRunStart(runId, plan, [text]) ?? 'loaded';
    await this.runPlan(runId, plan);
  }

  /** Without the plan: read the state of the run's unfinished objects and record their results. */
  async reverifyRun(runId: string): Promise<void> {
    const p = await this.client.call('journal.pending', {});
    if (!p.ok) {
      this.problem = { title: 'The journal could not be read.', message: p.error.message, fix: 'Try again.' };
      return;
    }
    const pending = p.value.pending.filter((x) => x.intent.kind === 'intent' && x.intent.runId === runId);
    const out = await this.task('Re-verifying…', 'Re-verification failed.', () =>
      reverifyPending(pending, { graph: this.ports.graph, journal: this.ports.journal }),
    );
    if (out) {
      const done = out.filter((o) => o.result === 'done').length;
      const failed = out.filter((o) => o.result === 'failed').length;
      const open = out.length - done - failed;
      this.notice = `Run ${runId}: ${done} verified, ${failed} not applied${open ? `, ${open} still unreadable (try again later)` : ''}. Objects the run never reached are untouched; plan them again to finish.`;
      if (open === 0 && storedPlan(runId) === undefined) setRunStatus(runId, 'dismissed');
    }
    await this.refreshResumable();
  }

  dismissRun(runId: string): void {
    setRunStatus(runId, 'dismissed');
    this.resumable = this.resumable.filter((r) => r.runId !== runId || r.pending > 0);
  }

  // ---- report --------------------------------------------------------------------------------------

  async saveReports(): Promise<void> {
    const s = this.summary;
    if (!s) return;
    const r = await saveRunReports(this.client, s, this.plan, this.info, this.evidence.levels, this.evidence.sweep);
    if (this.runCsvUrl) URL.revokeObjectURL(this.runCsvUrl);
    this.runCsvUrl = URL.createObjectURL(new Blob([r.csv], { type: 'text/csv' }));
    if (r.htmlPath) this.runHtmlPath = r.htmlPath;
    if (r.csvPath) this.runCsvPath = r.csvPath;
    if (r.problem) this.problem = r.problem;
  }
}

/** One model per bridge client: a run keeps going (and its progress stays visible) across view switches. */
const models = new WeakMap<SoaClient, BulkModel>();

export function bulkModelFor(client: SoaClient, info: AppInfo): BulkModel {
  let m = models.get(client);
  if (!m) {
    m = new BulkModel(client, info);
    models.set(client, m);
  }
  return m;
}

/**
 * Developer override, like the wizard's tuning (localStorage `soa-pilot.tuning`, key `bulkWriteLimitScale`):
 * scales the documented write limits for runs against a lab whose limits are scaled the same way (the scale
 * benchmark). Absent or invalid: the documented limits.
 */
function writeLimitOverride(): { limits?: Partial<WriteLimits> } {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem('soa-pilot.tuning') ?? '{}');
    const scale =
      typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).bulkWriteLimitScale : undefined;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale === 1) return {};
    return {
      limits: {
        appWritesPerWindow: DOCUMENTED_LIMITS.appWritesPerWindow * scale,
        tenantWritesPerWindow: DOCUMENTED_LIMITS.tenantWritesPerWindow * scale,
      },
    };
  } catch {
    return {};
  }
}

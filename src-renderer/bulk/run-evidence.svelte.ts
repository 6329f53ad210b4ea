/**
 * The evidence of the bulk run on screen, gathered after its writes: the server follow-up (sync cycles, server
 * traces, the Event 6956 sweep), the audit log check, and the journaling of each observation so a reload shows
 * the same. The bulk view's model (`bulk-model.svelte.ts`) owns one of these and says which run is on screen.
 */
import type { JournalRecordInput } from '@contract';
import { SvelteMap } from 'svelte/reactivity';
import type { SoaClient } from '../lib/bridge';
import {
  appendInCalls,
  auditRecords,
  changedEntries,
  followUpEndRecord,
  ObservationBuffer,
  serverCycleRecords,
  sweepRecords,
  type BulkAction,
  type BulkObjectType,
  type FollowUpCycleLine,
  type Plan,
  type RestoredRunEvidence,
  type RunSummary,
  type SweepResult,
} from '../lib/soa/bulk';
import {
  auditObjectsOf,
  confirmByAudit,
  type AuditConfirmation,
  type AuditQueryRecord,
} from '../lib/soa/bulk/audit-confirmation';
import { summariseLevels, type LevelSummary, type ServerObservation } from '../lib/soa/bulk/evidence-levels';
import { describeError, type BulkPorts } from './bulk-ports';
import { runServerFollowUp } from './server-follow-up-run';
import { nowIso } from './run-store';

/** What the bulk view's model tells the evidence about the run on screen, and the model's busy/problem handling. */
export interface RunOnScreen {
  runId(): string | undefined;
  summary(): RunSummary | undefined;
  plan(): Plan | undefined;
  /** the action and object type chosen in the view (used when neither the summary nor the plan says) */
  kind(): BulkAction;
  objectType(): BulkObjectType;
  /** runs `fn` with a busy label; a throw becomes the view's problem with `title` */
  task<T>(label: string, title: string, fn: () => Promise<T>): Promise<T | undefined>;
  setBusy(label: string): void;
  /** the follow-up ended (finished, stopped or failed): the model notes whether objects are still pending */
  followUpEnded(): void;
}

export class RunEvidence {
  syncMessage = $state<string | undefined>();
  syncOutcome = $state<string | undefined>();
  sweep = $state.raw<SweepResult | undefined>();
  /** the latest server observation per object id */
  readonly serverObservations = new SvelteMap<string, ServerObservation>();
  /** how long the follow-up keeps running cycles for pending objects (the admin can extend it) */
  followUpMinutes = $state(30);
  /** each written object's audit entry, once the audit log was checked */
  readonly auditConfirmations = new SvelteMap<string, AuditConfirmation>();
  auditChecked = $state(false);
  auditQueries = $state<AuditQueryRecord[]>([]);
  auditProblem = $state<string | undefined>();
  /** what each follow-up cycle left pending, in order (the summary lists it) */
  followUpCycles = $state<FollowUpCycleLine[]>([]);
  dnMissing = $state<{ objectId: string; reason: string }[]>([]);
  /** evidence observed but not journaled (a reload would not show it): said, never hidden */
  journalProblem = $state<string | undefined>();
  syncing = $state(false);
  /** observation records are appended one set after another, so the journal keeps the order they were made in */
  private journalChain: Promise<void> = Promise.resolve();
  private syncAbort: AbortController | undefined;

  constructor(
    private readonly client: SoaClient,
    private readonly ports: BulkPorts,
    private readonly run: RunOnScreen,
  ) {}

  /** the signal of the follow-up in progress (the ports' server calls stop with it) */
  get signal(): AbortSignal | undefined {
    return this.syncAbort?.signal;
  }

  /** the action of the run on screen: its results', else its plan's, else the one chosen in the view */
  private action(summary: RunSummary): BulkAction {
    return summary.items[0]?.action ?? this.run.plan()?.kind ?? this.run.kind();
  }

  /**
   * Each object's evidence level and the headline (docs/reference/bulk-evidence-levels.md): computed once per
   * change of the summary, the server observations or the audit entries, however often it is read (the summary
   * view, the follow-up's cycle log and the run's follow-up note each read it; a run has up to 50,000 objects).
   */
  readonly #levels = $derived.by((): LevelSummary | undefined => {
    const s = this.run.summary();
    if (!s) return undefined;
    return summariseLevels(
      this.action(s),
      s.items,
      this.serverObservations,
      this.auditChecked ? this.auditConfirmations : undefined,
    );
  });

  get levels(): LevelSummary | undefined {
    return this.#levels;
  }

  /** Forget the evidence on screen (its journal records stay). */
  clear(): void {
    this.syncMessage = undefined;
    this.syncOutcome = undefined;
    this.sweep = undefined;
    this.serverObservations.clear();
    this.auditConfirmations.clear();
    this.auditChecked = false;
    this.auditQueries = [];
    this.auditProblem = undefined;
    this.followUpCycles = [];
    this.dnMissing = [];
    this.journalProblem = undefined;
  }

  /** Show the evidence the journal holds for a run (nothing is re-read). */
  restore(r: RestoredRunEvidence): void {
    for (const [id, o] of r.serverObservations) this.serverObservations.set(id, o);
    for (const [id, a] of r.auditConfirmations) this.auditConfirmations.set(id, a);
    this.auditChecked = r.auditChecked;
    this.auditQueries = r.auditQueries;
    this.auditProblem = r.auditProblem;
    this.followUpCycles = r.followUpCycles;
    this.syncOutcome = r.syncOutcome;
    this.dnMissing = r.dnMissing;
    this.sweep = r.sweep;
    if (r.unreadable > 0)
      this.journalProblem = `${r.unreadable} journaled observation(s) of this run could not be read and are not shown.`;
  }

  /**
   * Append observation records after the ones before them, about 1 MiB per call (a run of 50,000 objects has
   * megabytes of them); a failure is said, and the evidence on screen stays.
   */
  journal(records: JournalRecordInput[]): Promise<void> {
    const runId = this.run.runId();
    this.journalChain = this.journalChain.then(async () => {
      try {
        await appendInCalls(this.ports.journal, records);
      } catch (e) {
        this.journalProblem = `Evidence of run ${runId ?? ''} was observed but not journaled (${describeError(e).message}); a reload will not show it. Check the journal, then run the check again.`;
      }
    });
    return this.journalChain;
  }

  async syncAndSweep(): Promise<void> {
    const s = this.run.summary();
    if (!s) return;
    this.sweep = undefined;
    this.dnMissing = [];
    this.syncOutcome = undefined;
    this.syncMessage = undefined;
    const abort = new AbortController();
    this.syncAbort = abort;
    this.syncing = true;
    /** observations not journaled yet (journaled with the next cycle, or with the follow-up's end) */
    const unjournaled = new ObservationBuffer();
    try {
      await this.run.task('Running delta sync cycles…', 'The sync follow-up or the sweep did not finish.', async () => {
        const plan = this.run.plan();
        const sweep = await runServerFollowUp({
          client: this.client,
          ports: this.ports,
          summary: s,
          plan,
          action: this.action(s),
          objectType: plan?.objectType ?? this.run.objectType(),
          timeoutMs: this.followUpMinutes * 60_000,
          earlier: this.serverObservations,
          signal: abort.signal,
          hooks: {
            onBusy: (m) => this.run.setBusy(m),
            onDnsResolved: (missing) => (this.dnMissing = missing),
            onObservations: (obs) => {
              unjournaled.add(changedEntries(this.serverObservations, obs));
              for (const [id, o] of obs) this.serverObservations.set(id, o);
            },
            onCycle: (_cycle, pending) => {
              const line = {
                cycle: this.followUpCycles.length + 1,
                pending,
                headline: this.levels?.headline ?? '',
                at: nowIso(),
              };
              this.followUpCycles = [...this.followUpCycles, line];
              // each cycle is journaled with what it observed, so a reload shows the same cycle log and levels
              void this.journal(serverCycleRecords(s.runId, { ...line, observations: unjournaled.take() }));
            },
            onOutcome: (m) => {
              this.syncOutcome = m;
              const end = {
                at: nowIso(),
                message: m,
                missing: $state.snapshot(this.dnMissing),
                observations: unjournaled.take(),
              };
              void this.journal([followUpEndRecord(s.runId, end)]);
            },
          },
        });
        if (sweep) {
          this.sweep = sweep;
          // journaled after it was read, so a reload or restart shows the same sweep
          await this.journal(sweepRecords(s.runId, sweep, nowIso()));
        }
      });
    } finally {
      this.syncing = false;
      this.syncAbort = undefined;
      await this.journalChain;
      this.run.followUpEnded();
    }
  }

  cancelSync(): void {
    this.syncAbort?.abort();
  }

  /**
   * Look for each written object's audit entry with a few time-window queries over the run
   * (docs/reference/bulk-evidence-levels.md#audit-entries-in-bulk); entries found earlier are kept.
   */
  async checkAudit(): Promise<void> {
    const s = this.run.summary();
    if (!s) return;
    const action = this.action(s);
    await this.run.task('Reading the audit log…', 'The audit log could not be read.', async () => {
      const earlier = new SvelteMap(this.auditConfirmations);
      const r = await confirmByAudit(this.ports.audit, action, auditObjectsOf(s, s.items), { earlier });
      for (const [id, a] of r.byObject) this.auditConfirmations.set(id, a);
      this.auditQueries = [...this.auditQueries, ...r.queries];
      this.auditChecked = true;
      this.auditProblem = r.error
        ? `${r.error.message}${r.error.fix ? ` ${r.error.fix}` : ''} The read-back evidence stands; check the audit log again once this is fixed.`
        : undefined;
      await this.journal(
        auditRecords(s.runId, {
          at: nowIso(),
          confirmations: changedEntries(earlier, r.byObject),
          queries: r.queries,
          problem: this.auditProblem,
        }),
      );
    });
  }
}

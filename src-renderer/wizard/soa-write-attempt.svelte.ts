/**
 * One attempt at the journaled isCloudManaged PATCH of the transfer or rollback step: running,
 * the client's status line, the write's outcome, and what to show when it did not go through.
 */
import type { StepEvidence } from '../lib/soa/evidence';
import type { WriteOutcome } from '../lib/soa/journaled-write';
import { CancelledError, type FlowPorts } from '../lib/soa/ports';
import type { ContactTarget } from '../lib/soa/verify';
import type { WizardRun } from './wizard-run.svelte';

/** Where the audit search starts: now, less a margin for clock skew between this machine and the directory. */
const auditSince = (): string => new Date(Date.now() - 120_000).toISOString();

type Outcome = WriteOutcome<unknown>['outcome'];

export type SoaWriteStep = (
  ports: FlowPorts,
  target: ContactTarget,
  options: { runId: string; signal: AbortSignal; onStatus: (message: string) => void },
) => Promise<{ step: StepEvidence; write: WriteOutcome<{ isCloudManaged: boolean }> }>;

export class SoaWriteAttempt {
  running = $state(false);
  status = $state('');
  outcome = $state<Outcome | undefined>();
  failure = $state<string | undefined>();
  private ctl: AbortController | undefined;

  /** `run` is a getter: the step's prop, read when the attempt needs it. */
  constructor(
    private readonly run: () => WizardRun,
    private readonly action: 'transfer' | 'rollback',
  ) {
    this.outcome = run().writeOutcome(action);
  }

  stop(): void {
    this.ctl?.abort();
  }

  /** Send the write; once it is done, start the audit search and run `onDone`. */
  async send(
    write: SoaWriteStep,
    onDone: (write: WriteOutcome<{ isCloudManaged: boolean }>) => Promise<void> | void = () => {},
  ): Promise<void> {
    const run = this.run();
    if (!run.target) return;
    this.running = true;
    this.failure = undefined;
    this.ctl = new AbortController();
    const since = auditSince();
    try {
      const r = await write(run.session.ports(), run.target, {
        runId: run.runId,
        signal: this.ctl.signal,
        onStatus: (m) => (this.status = m),
      });
      run.record(r.step);
      run.addOp(r.write.opId);
      this.outcome = r.write.outcome;
      if (r.write.outcome === 'done') {
        run.startAudit(this.action, since);
        await onDone(r.write);
      } else this.failure = r.step.observed;
    } catch (e) {
      this.failure =
        e instanceof CancelledError
          ? 'Stopped. The intent is in the journal; re-verify it from the Journal view.'
          : String(e);
      this.outcome = 'unknown';
    } finally {
      this.running = false;
      await run.session.refreshPending();
    }
  }
}

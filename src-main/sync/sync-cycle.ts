/**
 * Running and waiting for a Connect Sync cycle.
 *
 * Recommended sequence (docs/reference/connect-sync-and-powershell.md#waiting-for-a-cycle): record t0 and the newest run before starting; start
 * (typed busy / staging results); poll `SyncCycleInProgress` (the run status alone goes empty between
 * steps); then return every run-profile result newer than the recorded run (or since t0).
 * Cancel (AbortSignal) and the overall timeout stop the waiting; they do not stop the cycle on the server.
 */
import { z } from 'zod';
import { contract, type OpOutput, type OpProgress } from '../ipc/contract';
import { OperationError } from '../ipc/errors';
import type { PowerShellSession } from '../powershell/session';

export const cycleState = z.object({
  syncCycleInProgress: z.boolean(),
  stagingModeEnabled: z.boolean(),
  runningConnector: z.string().nullable(),
  newestRunHistoryId: z.string().nullable(),
  newestRunStartDate: z.string().nullable(),
  now: z.string(),
});
export type CycleState = z.infer<typeof cycleState>;

const runRow = z.object({
  runHistoryId: z.string(),
  connectorName: z.string(),
  runProfileName: z.string(),
  result: z.string(),
  isRunComplete: z.boolean(),
  startDate: z.string(),
  endDate: z.string().nullable(),
});
const runRows = z.object({
  runs: z
    .array(runRow)
    .nullable()
    .transform((r) => r ?? []),
});

export const startResult = contract['server.startSyncCycle'].output;
export type StartResult = OpOutput<'server.startSyncCycle'>;
export type SyncProgress = OpProgress<'server.runSyncCycle'>;
export type CycleResult = OpOutput<'server.waitForSyncCycle'>;
export type RunCycleResult = OpOutput<'server.runSyncCycle'>;

export interface CycleTiming {
  /** Poll interval while a cycle runs (ms). */
  pollMs: number;
  /** How long to wait for a started cycle to show up (in progress or a new run) before collecting anyway (ms). */
  startGraceMs: number;
  /** Per PowerShell call timeout (ms). */
  callTimeoutMs: number;
}

export const defaultCycleTiming: CycleTiming = { pollMs: 2_000, startGraceMs: 60_000, callTimeoutMs: 60_000 };

export interface CycleContext {
  emit(progress: SyncProgress): void;
  signal: AbortSignal;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

function cancelled(): OperationError {
  return new OperationError(
    'cancelled',
    'Stopped waiting for the sync cycle (cancelled). The cycle itself keeps running on the server.',
  );
}

export class SyncCycleRunner {
  constructor(
    private readonly ps: PowerShellSession,
    private readonly timing: CycleTiming = defaultCycleTiming,
  ) {}

  /**
   * One poll. Polls are short, so a cancel does not interrupt them (which would restart the shell);
   * it is honoured as soon as the poll returns.
   */
  async state(signal?: AbortSignal): Promise<CycleState> {
    if (signal?.aborted) throw cancelled();
    const s = await this.ps.run('Get-SoaSyncCycleState', {}, cycleState, { timeoutMs: this.timing.callTimeoutMs });
    if (signal?.aborted) throw cancelled();
    return s;
  }

  /** Starting is never interrupted half-way (the cycle may or may not have started); cancel applies before it. */
  async start(policyType: 'Delta' | 'Initial', signal?: AbortSignal): Promise<StartResult> {
    if (signal?.aborted) throw cancelled();
    return this.ps.run('Start-SoaSyncCycle', { PolicyType: policyType }, startResult, {
      timeoutMs: this.timing.callTimeoutMs,
    });
  }

  async runs(
    since: { t0: string; afterRunHistoryId: string | null },
    signal?: AbortSignal,
  ): Promise<CycleResult['runs']> {
    const args: Record<string, unknown> = { Since: since.t0, NumberRequested: 200 };
    if (since.afterRunHistoryId) {
      args.AfterRunHistoryId = since.afterRunHistoryId;
      delete args.Since;
    }
    if (signal?.aborted) throw cancelled();
    const rows = await this.ps.run('Get-SoaRunProfileResult', args, runRows, {
      timeoutMs: this.timing.callTimeoutMs,
    });
    return rows.runs.map((r) => ({
      runHistoryId: r.runHistoryId,
      connectorName: r.connectorName,
      runProfileName: r.runProfileName,
      result: r.result,
      startDate: r.startDate,
      endDate: r.endDate,
    }));
  }

  /** Start a cycle (waiting out a busy engine if asked), wait for it and return its runs. */
  async run(
    input: { policyType: 'Delta' | 'Initial'; timeoutSeconds: number; waitIfBusy: boolean },
    ctx: CycleContext,
  ): Promise<RunCycleResult> {
    const began = Date.now();
    const deadline = began + input.timeoutSeconds * 1000;
    const elapsed = (): number => Date.now() - began;
    ctx.emit({
      phase: 'starting',
      elapsedMs: 0,
      connector: null,
      message: `Starting a ${input.policyType} sync cycle.`,
    });
    for (;;) {
      const before = await this.state(ctx.signal);
      const t0 = new Date().toISOString();
      const started = await this.start(input.policyType, ctx.signal);
      if (started.status === 'stagingMode') return started;
      if (started.status === 'busy') {
        if (!input.waitIfBusy) return started;
        ctx.emit({
          phase: 'waitingForBusy',
          elapsedMs: elapsed(),
          connector: before.runningConnector,
          message: `The sync engine is busy (${started.message}); waiting for it to finish.`,
        });
        await this.waitUntilIdle(deadline, ctx, elapsed, 'waitingForBusy');
        if (Date.now() >= deadline) throw this.timeout(input.timeoutSeconds);
        await sleep(this.timing.pollMs, ctx.signal);
        continue;
      }
      const cycle = await this.follow(
        { t0, afterRunHistoryId: before.newestRunHistoryId },
        deadline,
        input.timeoutSeconds,
        ctx,
        elapsed,
        true,
      );
      return { status: 'completed', cycle };
    }
  }

  /** Wait for a cycle that was started at (or after) t0, then return its runs. */
  async wait(input: { t0: string; timeoutSeconds: number }, ctx: CycleContext): Promise<CycleResult> {
    const began = Date.now();
    const deadline = began + input.timeoutSeconds * 1000;
    return this.follow(
      { t0: input.t0, afterRunHistoryId: null },
      deadline,
      input.timeoutSeconds,
      ctx,
      () => Date.now() - began,
      false,
    );
  }

  private async follow(
    since: { t0: string; afterRunHistoryId: string | null },
    deadline: number,
    timeoutSeconds: number,
    ctx: CycleContext,
    elapsed: () => number,
    justStarted: boolean,
  ): Promise<CycleResult> {
    // A started cycle may take a moment to show up; until it does, "not in progress" means "not yet".
    let seen = !justStarted;
    const graceEnds = Date.now() + this.timing.startGraceMs;
    for (;;) {
      if (Date.now() >= deadline) throw this.timeout(timeoutSeconds);
      const s = await this.state(ctx.signal);
      const newRun = s.newestRunHistoryId !== null && s.newestRunHistoryId !== since.afterRunHistoryId;
      if (s.syncCycleInProgress || newRun) seen = true;
      if (s.syncCycleInProgress) {
        ctx.emit({
          phase: 'running',
          elapsedMs: elapsed(),
          connector: s.runningConnector,
          message: s.runningConnector ? `Running: ${s.runningConnector}.` : 'Sync cycle in progress (between steps).',
        });
      } else if (seen || Date.now() >= graceEnds) {
        break;
      }
      await sleep(this.timing.pollMs, ctx.signal);
    }
    ctx.emit({
      phase: 'collecting',
      elapsedMs: elapsed(),
      connector: null,
      message: 'Sync cycle finished; reading the run results.',
    });
    const runs = await this.runs(since, ctx.signal);
    return {
      t0: since.t0,
      finishedAt: new Date().toISOString(),
      runs,
      allSucceeded: runs.length > 0 && runs.every((r) => r.result.toLowerCase() === 'success'),
    };
  }

  private async waitUntilIdle(
    deadline: number,
    ctx: CycleContext,
    elapsed: () => number,
    phase: SyncProgress['phase'],
  ): Promise<void> {
    for (;;) {
      if (Date.now() >= deadline) return;
      const s = await this.state(ctx.signal);
      if (!s.syncCycleInProgress) return;
      ctx.emit({
        phase,
        elapsedMs: elapsed(),
        connector: s.runningConnector,
        message: s.runningConnector
          ? `Waiting: ${s.runningConnector} is running.`
          : 'Waiting for the running cycle to finish.',
      });
      await sleep(this.timing.pollMs, ctx.signal);
    }
  }

  private timeout(seconds: number): OperationError {
    return new OperationError(
      'timeout',
      `The sync cycle did not finish within ${seconds} s. It may still be running on the server; check again later.`,
    );
  }
}

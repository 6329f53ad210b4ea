/**
 * The cycle runner's decisions (start → busy → wait → follow → collect) against a scripted
 * PowerShell port. The real bridge and lab are covered by test/integration/sync.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SyncCycleRunner, type CycleState, type SyncProgress } from '../../../../src-main/sync/sync-cycle';
import type { PowerShellSession, ScriptName } from '../../../../src-main/powershell/session';
import { OperationError } from '../../../../src-main/ipc/errors';

type Reply = (args: Record<string, unknown>) => unknown;

function fakeSession(replies: Partial<Record<ScriptName, Reply[] | Reply>>): {
  ps: PowerShellSession;
  calls: { script: ScriptName; args: Record<string, unknown> }[];
} {
  const calls: { script: ScriptName; args: Record<string, unknown> }[] = [];
  const ps = {
    async run<T>(script: ScriptName, args: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
      calls.push({ script, args });
      const r = replies[script];
      const reply = Array.isArray(r) ? (r.length > 1 ? r.shift() : r[0]) : r;
      if (!reply) throw new Error(`no reply for ${script}`);
      return schema.parse(reply(args));
    },
  } as unknown as PowerShellSession;
  return { ps, calls };
}

const state =
  (p: Partial<CycleState>): Reply =>
  () => ({
    syncCycleInProgress: false,
    stagingModeEnabled: false,
    runningConnector: null,
    newestRunHistoryId: 'old',
    newestRunStartDate: null,
    now: new Date().toISOString(),
    ...p,
  });
const runs: Reply = () => ({
  runs: [
    {
      runHistoryId: 'r2',
      connectorName: 'c - AAD',
      runProfileName: 'Export',
      result: 'success',
      isRunComplete: true,
      startDate: '2026-11-27T12:00:02.000Z',
      endDate: '2026-11-27T12:00:03.000Z',
    },
    {
      runHistoryId: 'r1',
      connectorName: 'contoso.com',
      runProfileName: 'Delta Import',
      result: 'success',
      isRunComplete: true,
      startDate: '2026-11-27T12:00:00.000Z',
      endDate: '2026-11-27T12:00:01.000Z',
    },
  ],
});
const timing = { pollMs: 1, startGraceMs: 1000, callTimeoutMs: 1000 };

describe('SyncCycleRunner.run', () => {
  it('records the newest run, starts, follows SyncCycleInProgress and collects runs after it', async () => {
    const { ps, calls } = fakeSession({
      'Get-SoaSyncCycleState': [
        state({}),
        state({ syncCycleInProgress: true, runningConnector: 'contoso.com', newestRunHistoryId: 'r1' }),
        state({ syncCycleInProgress: true, runningConnector: null, newestRunHistoryId: 'r1' }),
        state({ syncCycleInProgress: false, newestRunHistoryId: 'r2' }),
      ],
      'Start-SoaSyncCycle': () => ({ status: 'started', startedAt: new Date().toISOString(), result: 'Success' }),
      'Get-SoaRunProfileResult': runs,
    });
    const events: SyncProgress[] = [];
    const r = await new SyncCycleRunner(ps, timing).run(
      { policyType: 'Delta', timeoutSeconds: 30, waitIfBusy: true },
      { emit: (e) => events.push(e), signal: new AbortController().signal },
    );
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    expect(r.cycle.runs.map((x) => x.runHistoryId)).toEqual(['r2', 'r1']);
    expect(r.cycle.allSucceeded).toBe(true);
    expect(events.map((e) => e.phase)).toEqual(['starting', 'running', 'running', 'collecting']);
    expect(events[1]?.connector).toBe('contoso.com');
    expect(calls.find((c) => c.script === 'Get-SoaRunProfileResult')?.args).toMatchObject({ AfterRunHistoryId: 'old' });
  });

  it('returns busy without waiting when asked not to wait', async () => {
    const { ps } = fakeSession({
      'Get-SoaSyncCycleState': state({ syncCycleInProgress: true }),
      'Start-SoaSyncCycle': () => ({ status: 'busy', message: 'Connector: c - AAD is busy.', retryAfterSeconds: 60 }),
    });
    const r = await new SyncCycleRunner(ps, timing).run(
      { policyType: 'Delta', timeoutSeconds: 30, waitIfBusy: false },
      { emit: () => {}, signal: new AbortController().signal },
    );
    expect(r).toEqual({ status: 'busy', message: 'Connector: c - AAD is busy.', retryAfterSeconds: 60 });
  });

  it('waits out a busy engine, then starts', async () => {
    const { ps, calls } = fakeSession({
      'Get-SoaSyncCycleState': [
        state({ syncCycleInProgress: true }),
        state({ syncCycleInProgress: true }),
        state({}),
        state({}),
        state({ newestRunHistoryId: 'r2' }),
      ],
      'Start-SoaSyncCycle': [
        () => ({ status: 'busy', message: 'busy', retryAfterSeconds: 60 }),
        () => ({ status: 'started', startedAt: new Date().toISOString(), result: 'Success' }),
      ],
      'Get-SoaRunProfileResult': runs,
    });
    const events: SyncProgress[] = [];
    const r = await new SyncCycleRunner(ps, timing).run(
      { policyType: 'Initial', timeoutSeconds: 30, waitIfBusy: true },
      { emit: (e) => events.push(e), signal: new AbortController().signal },
    );
    expect(r.status).toBe('completed');
    expect(events.some((e) => e.phase === 'waitingForBusy')).toBe(true);
    expect(calls.filter((c) => c.script === 'Start-SoaSyncCycle')).toHaveLength(2);
  });

  it('passes staging mode through', async () => {
    const { ps } = fakeSession({
      'Get-SoaSyncCycleState': state({ stagingModeEnabled: true }),
      'Start-SoaSyncCycle': () => ({ status: 'stagingMode', message: 'staging' }),
    });
    const r = await new SyncCycleRunner(ps, timing).run(
      { policyType: 'Delta', timeoutSeconds: 30, waitIfBusy: true },
      { emit: () => {}, signal: new AbortController().signal },
    );
    expect(r.status).toBe('stagingMode');
  });

  it('stops on cancel with a cancelled error', async () => {
    const { ps } = fakeSession({
      'Get-SoaSyncCycleState': state({ syncCycleInProgress: true }),
      'Start-SoaSyncCycle': () => ({ status: 'started', startedAt: new Date().toISOString(), result: 'Success' }),
    });
    const ac = new AbortController();
    const runner = new SyncCycleRunner(ps, { ...timing, pollMs: 20 });
    const p = runner.run(
      { policyType: 'Delta', timeoutSeconds: 30, waitIfBusy: true },
      { emit: () => ac.abort(), signal: ac.signal },
    );
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('stops on its overall timeout', async () => {
    const { ps } = fakeSession({ 'Get-SoaSyncCycleState': state({ syncCycleInProgress: true }) });
    const p = new SyncCycleRunner(ps, { ...timing, pollMs: 50 }).wait(
      { t0: new Date().toISOString(), timeoutSeconds: 0.2 as number },
      { emit: () => {}, signal: new AbortController().signal },
    );
    await expect(p).rejects.toBeInstanceOf(OperationError);
    await expect(p).rejects.toMatchObject({ code: 'timeout' });
  });
});

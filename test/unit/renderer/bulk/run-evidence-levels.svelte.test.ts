/**
 * The evidence levels of the run on screen are computed once per change (a run has up to 50,000 objects, and the
 * summary view, the follow-up's cycle log and the follow-up note each read them), and again after each change of
 * the summary, the server observations or the audit entries.
 */
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import type { SoaClient } from '../../../../src-renderer/lib/bridge';
import type { BulkPorts } from '../../../../src-renderer/bulk/bulk-ports';
import { RunEvidence } from '../../../../src-renderer/bulk/run-evidence.svelte';
import type { ItemResult, RunSummary } from '../../../../src-renderer/lib/soa/bulk/run-types';
import type { ServerObservation } from '../../../../src-renderer/lib/soa/bulk/evidence-levels';
import { item as fakeItem } from './bulk-fakes';

function item(n: number): ItemResult {
  return fakeItem(`c${n}`, { opId: `run/contact/c${n}` });
}

function summaryOf(items: ItemResult[]): RunSummary {
  const n = items.length;
  return {
    runId: 'run',
    startedAt: '2026-12-02T07:00:00.000Z',
    finishedAt: '2026-12-02T07:01:00.000Z',
    cancelled: false,
    items,
    progress: {
      runId: 'run',
      total: n,
      done: n,
      verified: n,
      skipped: 0,
      failed: 0,
      unverified: 0,
      remaining: 0,
      writesSent: n,
      throttled: 0,
      retries: 0,
      ratePerSecond: 0,
      etaSeconds: 0,
      concurrency: 1,
      writeRate: 1,
      state: 'finished',
    },
  };
}

/** The run on screen: its summary is reactive state, as the bulk model's is. */
class Screen {
  summary = $state.raw<RunSummary | undefined>();
}

function evidenceOf(screen: Screen): RunEvidence {
  // the levels read neither the bridge nor the ports
  return new RunEvidence({} as SoaClient, {} as BulkPorts, {
    runId: () => screen.summary?.runId,
    summary: () => screen.summary,
    plan: () => undefined,
    kind: () => 'transfer',
    objectType: () => 'contact',
    task: (_label, _title, fn) => fn(),
    setBusy: () => undefined,
    followUpEnded: () => undefined,
  });
}

const confirmed: ServerObservation = {
  objectId: 'c1',
  confirmed: true,
  awaitingExportConfirmation: false,
  detail: 'blockOnPremisesSync = true',
  cycle: 1,
  observedAt: '2026-12-02T07:02:00.000Z',
  engine: 'connectSync',
};

describe('the evidence levels of the run on screen', () => {
  it('are the same object on every read while nothing changed (computed once), and new after each change', () => {
    const screen = new Screen();
    const evidence = evidenceOf(screen);
    expect(evidence.levels).toBeUndefined();
    screen.summary = summaryOf([item(1), item(2)]);
    flushSync();
    const first = evidence.levels;
    expect(first?.objects.map((o) => o.level)).toEqual(['cloudVerified', 'cloudVerified']);
    // read again (the view, the cycle log, the follow-up note): not computed again
    expect(evidence.levels).toBe(first);
    expect(evidence.levels).toBe(first);
    // a server observation changes them
    evidence.serverObservations.set('c1', confirmed);
    flushSync();
    const second = evidence.levels;
    expect(second).not.toBe(first);
    expect(second?.objects.map((o) => o.level)).toEqual(['serverConfirmed', 'cloudVerified']);
    expect(evidence.levels).toBe(second);
    // so does another summary, and forgetting the evidence
    screen.summary = summaryOf([item(3)]);
    flushSync();
    expect(evidence.levels?.objects.map((o) => o.objectId)).toEqual(['c3']);
    evidence.clear();
    screen.summary = summaryOf([item(1)]);
    flushSync();
    expect(evidence.levels?.objects.map((o) => o.level)).toEqual(['cloudVerified']);
  });
});
